import { openDb } from "@madoguchi/db/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeFeed, followInbox } from "../src/change-feed";
import { CHANGES_CHANNEL, type Change, changesSince } from "../src/changelog";
import { setStatus } from "../src/conversations/status";
import { deliver } from "../src/deliver/deliver";
import { createTeam, mail, type Team } from "./fixtures";
import { createTestEnv, drivers, type TestEnv } from "./harness";

function waitFor<T>(check: () => T | undefined, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > ms) return reject(new Error("timed out"));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe.each(drivers)("change feed on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let feed: ChangeFeed;
  beforeAll(async () => {
    env = await createTestEnv(driver);
    team = await createTeam(env.ctx);
    feed = new ChangeFeed(env.listen);
    await feed.start(CHANGES_CHANNEL);
  });
  afterAll(async () => {
    await feed.close();
    await env.close();
  });

  it("nudges subscribers after commit and lets them pull every change in order", async () => {
    const got: Change[] = [];
    const cursor = (await changesSince(env.ctx.db, team.info.id, 0, 100_000)).at(-1)?.seq ?? 0;
    const stop = followInbox(env.ctx, feed, team.info.id, cursor, (batch) => got.push(...batch));
    const d = await deliver(env.ctx, team.info.id, mail({ subject: "通知テスト" }));
    await waitFor(() => (got.some((c) => c.kind === "message_added") ? true : undefined));
    await setStatus(env.ctx, {
      conversationId: d.conversationId ?? -1,
      userId: team.bob.id,
      status: "in_progress",
    });
    await waitFor(() => (got.some((c) => c.kind === "status_changed") ? true : undefined));
    stop();
    expect(got.map((c) => c.kind)).toEqual(["conversation_created", "message_added", "status_changed"]);
    const seqs = got.map((c) => c.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});

// PostgreSQL only: several server processes share one database and must nudge each other.
for (const driver of drivers.filter((d) => d === "postgres")) {
  describe("change feed across connections", () => {
    let env: TestEnv;
    let team: Team;
    let feed: ChangeFeed;
    beforeAll(async () => {
      env = await createTestEnv(driver);
      team = await createTeam(env.ctx);
      feed = new ChangeFeed(env.listen);
      await feed.start(CHANGES_CHANNEL);
    });
    afterAll(async () => {
      await feed.close();
      await env.close();
    });

    it("carries nudges between processes' connections", async () => {
      const other = await openDb({ url: env.url });
      try {
        let nudged = 0;
        const stop = feed.subscribe(team.info.id, () => nudged++);
        await deliver({ ...env.ctx, db: other.db }, team.info.id, mail({ subject: "別接続" }));
        await waitFor(() => (nudged > 0 ? true : undefined));
        stop();
      } finally {
        await other.close();
      }
    });
  });
}
