import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { messages } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver } from "../src/deliver/deliver";
import { createTeam, mail, type Team } from "./fixtures";
import { createTestEnv, drivers, type TestEnv } from "./harness";
import { runUntilKilled } from "./run-until-killed";

const here = path.dirname(fileURLToPath(import.meta.url));
/** Kill the child after this many resolved deliveries (the time bound failing the test otherwise). */
const KILL_AFTER = 60;
const TIME_BOUND_MS = 90_000;

interface Acked {
  n: number;
  messageId: number;
  hash: string;
}

/** Each delivery the child saw resolve: "OK <n> <message id> <blob hash>". */
function parseAck(line: string): Acked | undefined {
  const [tag, n, id, hash] = line.split(" ");
  return tag === "OK" ? { n: Number(n), messageId: Number(id), hash: hash ?? "" } : undefined;
}

describe.each(drivers)("crash during delivery on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  beforeAll(async () => {
    env = await createTestEnv(driver, { pgliteDir: true });
    team = await createTeam(env.ctx);
    await env.closeDb();
  });
  afterAll(() => env.close());

  it("keeps every delivery that resolved before kill -9, intact", async () => {
    const acked = await runUntilKilled({
      script: path.join(here, "crash-child.ts"),
      env: {
        CRASH_DIR: env.dir,
        CRASH_DB_URL: env.url ?? "",
        CRASH_PGLITE_DIR: env.pgliteDir ?? "",
        CRASH_INBOX_ID: String(team.info.id),
      },
      killAfter: KILL_AFTER,
      parseLine: parseAck,
      timeBoundMs: TIME_BOUND_MS,
    });
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER);
    await env.reopenDb();
    for (const a of acked) {
      const [row] = await env.ctx.db.select().from(messages).where(eq(messages.id, a.messageId));
      expect(row?.messageIdHeader, `message ${a.n}`).toBe(`crash-${a.n}@customer.example`);
      expect(row?.blobHash).toBe(a.hash);
      const raw = await env.ctx.blobs.get(a.hash);
      expect(createHash("sha256").update(raw).digest("hex")).toBe(a.hash);
    }
    // The store still works after recovery, and UIDs stay unique.
    const after = await deliver(env.ctx, team.info.id, mail({ subject: "復旧後" }));
    const uids = (
      await env.ctx.db
        .select({ uid: messages.uid })
        .from(messages)
        .where(eq(messages.mailboxId, after.mailboxId))
    ).map((r) => r.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });
});
