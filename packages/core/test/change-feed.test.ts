import { type DriverName, openDb } from "@madoguchi/db/client";
import { postgresClient } from "@madoguchi/db/pg-url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeFeed, followInbox } from "../src/change-feed";
import { CHANGES_CHANNEL, type Change, changesSince } from "../src/changelog";
import { setStatus } from "../src/conversations/status";
import { deliver } from "../src/deliver/deliver";
import { mail, type Team, useTeamEnv } from "./fixtures";
import { drivers, type TestEnv } from "./harness";

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

/** The standard team plus a started ChangeFeed on its database, for one describe block. */
function useFeedEnv(driver: DriverName): { env: TestEnv; team: Team; feed: ChangeFeed } {
  const state = useTeamEnv(driver) as { env: TestEnv; team: Team; feed: ChangeFeed };
  beforeAll(async () => {
    state.feed = new ChangeFeed(state.env.listen);
    await state.feed.start(CHANGES_CHANNEL);
  });
  // Registered after useTeamEnv's hook, so it runs first: the feed closes before the database.
  afterAll(() => state.feed?.close());
  return state;
}

describe.each(drivers)("change feed on %s", (driver) => {
  const t = useFeedEnv(driver);

  it("nudges subscribers after commit and lets them pull every change in order", async () => {
    const got: Change[] = [];
    const cursor = (await changesSince(t.env.ctx.db, t.team.info.id, 0, 100_000)).at(-1)?.seq ?? 0;
    const stop = followInbox(t.env.ctx, t.feed, t.team.info.id, cursor, (batch) => got.push(...batch));
    const d = await deliver(t.env.ctx, t.team.info.id, mail({ subject: "通知テスト" }));
    await waitFor(() => (got.some((c) => c.kind === "message_added") ? true : undefined));
    await setStatus(t.env.ctx, {
      conversationId: d.conversationId ?? -1,
      userId: t.team.bob.id,
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
    const t = useFeedEnv(driver);

    it("carries nudges between processes' connections", async () => {
      const other = await openDb({ url: t.env.url });
      try {
        let nudged = 0;
        const stop = t.feed.subscribe(t.team.info.id, () => nudged++);
        await deliver({ ...t.env.ctx, db: other.db }, t.team.info.id, mail({ subject: "別接続" }));
        await waitFor(() => (nudged > 0 ? true : undefined));
        stop();
      } finally {
        await other.close();
      }
    });

    it("nudges every followed inbox again when its LISTEN connection was lost, as a nudge sent meanwhile is", async () => {
      const admin = postgresClient(t.env.url ?? "", { max: 1, onnotice: () => {} });
      try {
        let nudged = 0;
        const stop = t.feed.subscribe(t.team.info.id, () => nudged++);
        // The backend LISTENing for this process; a NOTIFY sent while it is gone reaches no one.
        const [killed] = await admin`select pg_terminate_backend(pid) as done from pg_stat_activity
          where datname = current_database() and query ilike ${`listen%${CHANGES_CHANNEL}%`}`;
        expect(killed?.done).toBe(true);
        await admin`select pg_notify(${CHANGES_CHANNEL}, ${String(t.team.info.id)})`;
        await waitFor(() => (nudged > 0 ? true : undefined), 15_000);
        stop();
      } finally {
        await admin.end({ timeout: 5 });
      }
    });
  });
}
