import path from "node:path";
import { fileURLToPath } from "node:url";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, mail, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { runUntilKilled } from "../../core/test/run-until-killed";
import { storedIn } from "./support/store";

const here = path.dirname(fileURLToPath(import.meta.url));
/** Kill the server after this many 250s (a run that gets fewer within the time bound fails). */
const KILL_AFTER = 40;
const SENDERS = 4;
const MAX_MESSAGES = 2000;
const TIME_BOUND_MS = 60_000;

describe.each(drivers)("kill -9 of the SMTP server on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  beforeAll(async () => {
    env = await createTestEnv(driver, { pgliteDir: true });
    team = await createTeam(env.ctx);
    await env.closeDb();
  });
  afterAll(() => env?.close());

  it("keeps every message that got a 250 before the kill", async () => {
    // Acknowledgements are the 250s the senders got; the server is killed at KILL_AFTER of them.
    const acked = await runUntilKilled<string>({
      script: path.join(here, "durability-child.ts"),
      env: {
        DURABILITY_DIR: env.dir,
        DURABILITY_DB_URL: env.url ?? "",
        DURABILITY_PGLITE_DIR: env.pgliteDir ?? "",
      },
      killAfter: KILL_AFTER,
      timeBoundMs: TIME_BOUND_MS,
      async drive(run) {
        const port = Number(run.readyLine.split(" ")[1]);
        let next = 0;
        const sender = async () => {
          const transport = nodemailer.createTransport({ host: "127.0.0.1", port, ignoreTLS: true });
          while (!run.killed && next < MAX_MESSAGES) {
            const n = next++;
            const id = `durable-${n}@customer.example`;
            const body = `耐久試験 ${n}\r\n${"本文".repeat((n % 5) * 400)}`;
            try {
              const info = await transport.sendMail({
                envelope: { from: "taro@customer.example", to: ["info@example.co.jp"] },
                raw: mail({ messageId: id, subject: `試験 ${n}`, body }),
              });
              if (info.response.startsWith("250 ")) run.ack(id);
            } catch {
              // The connection died with the server: this one was never acknowledged.
            }
          }
        };
        await Promise.all(Array.from({ length: SENDERS }, sender));
      },
    });
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER);
    await env.reopenDb();
    const stored = new Set((await storedIn(env.ctx, team.info.id)).map((m) => m.messageIdHeader));
    const lost = acked.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
  });
});
