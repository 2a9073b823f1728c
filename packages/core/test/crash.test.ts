import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { messages } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver } from "../src/deliver/deliver";
import { createTeam, mail, type Team } from "./fixtures";
import { createTestEnv, drivers, type TestEnv } from "./harness";

const here = path.dirname(fileURLToPath(import.meta.url));
/** Kill the child after this many resolved deliveries (or when the time bound runs out). */
const KILL_AFTER = 60;
const TIME_BOUND_MS = 90_000;

interface Acked {
  n: number;
  messageId: number;
  hash: string;
}

function runAndKill(env: TestEnv, inboxId: number): Promise<Acked[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "crash-child.ts")], {
      cwd: path.resolve(here, "../../.."),
      env: {
        ...process.env,
        CRASH_DIR: env.dir,
        CRASH_DB_URL: env.url ?? "",
        CRASH_PGLITE_DIR: env.pgliteDir ?? "",
        CRASH_INBOX_ID: String(inboxId),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acked: Acked[] = [];
    let buffer = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), TIME_BOUND_MS);
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const [tag, n, id, hash] = line.split(" ");
        if (tag === "OK") acked.push({ n: Number(n), messageId: Number(id), hash: hash ?? "" });
        if (acked.length === KILL_AFTER) child.kill("SIGKILL");
        nl = buffer.indexOf("\n");
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      if (signal !== "SIGKILL") reject(new Error(`child ended without being killed: ${stderr}`));
      else resolve(acked);
    });
  });
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
    const acked = await runAndKill(env, team.info.id);
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
