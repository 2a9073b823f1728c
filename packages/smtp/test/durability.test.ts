import path from "node:path";
import { fileURLToPath } from "node:url";
import { postgresClient } from "@madoguchi/db/pg-url";
import nodemailer from "nodemailer";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, mail, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv, terminateBackends } from "../../core/test/harness";
import { runUntilKilled } from "../../core/test/run-until-killed";
import { type RunningSmtp, startTestSmtp } from "./support/smtp-env";
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

/** PostgreSQL's connections are killed this many times during the stream, KILL_EVERY 250s apart. */
const DB_KILLS = 2;
const KILL_EVERY = 30;
/** Enough senders that deliveries are in flight on the connections when they are killed. */
const DB_KILL_SENDERS = 10;

// PostgreSQL restarts, fails over or kills a session while messages stream in. Every delivery
// in flight on a killed connection fails with a 4xx, which the sender retries; the server lives
// on, each 250 is stored, and the next messages get their 250 on fresh connections.
// (patches/postgres+3.4.9.patch: unpatched, a killed transaction could crash the process or
// leave a statement waiting forever; packages/db/test/transactions.test.ts holds the driver.)
describe.runIf(drivers.includes("postgres"))("PostgreSQL connections killed under inbound load", () => {
  let env: TestEnv;
  let team: Team;
  let smtp: RunningSmtp;
  let admin: postgres.Sql;
  beforeAll(async () => {
    env = await createTestEnv("postgres");
    team = await createTeam(env.ctx);
    smtp = await startTestSmtp(env.ctx, env.dir, { limits: { maxMessagesPerIpPerMinute: 100_000 } });
    admin = postgresClient(env.url ?? "", { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await smtp?.close();
    await admin?.end({ timeout: 5 });
    await env?.close();
  });

  it("answers 4xx for the deliveries it loses, keeps every 250, and accepts mail again", async () => {
    const acked: string[] = [];
    const refused: string[] = [];
    const ackedAfterKills: string[] = [];
    let kills = 0;
    let killing = false;
    let next = 0;
    const deadline = Date.now() + TIME_BOUND_MS;
    const killAll = async () => {
      expect(await terminateBackends(admin)).toBeGreaterThan(0);
      kills++;
    };
    const done = () => ackedAfterKills.length >= KILL_EVERY || next >= MAX_MESSAGES || Date.now() > deadline;
    const sender = async () => {
      const transport = nodemailer.createTransport({ host: "127.0.0.1", port: smtp.mxPort, ignoreTLS: true });
      while (!done()) {
        const n = next++;
        const id = `dbkill-${n}@customer.example`;
        try {
          const info = await transport.sendMail({
            envelope: { from: "taro@customer.example", to: ["info@example.co.jp"] },
            raw: mail({ messageId: id, subject: `接続断 ${n}`, body: `本文 ${n}` }),
          });
          if (!info.response.startsWith("250 ")) throw new Error(info.response);
          acked.push(id);
          if (kills === DB_KILLS) ackedAfterKills.push(id);
          else if (!killing && acked.length >= (kills + 1) * KILL_EVERY) {
            killing = true;
            await killAll();
            killing = false;
          }
        } catch (err) {
          refused.push(`${(err as { responseCode?: number }).responseCode ?? (err as Error).message}`);
        }
      }
      transport.close();
    };
    await Promise.all(Array.from({ length: DB_KILL_SENDERS }, sender));

    expect(kills).toBe(DB_KILLS);
    expect(ackedAfterKills.length).toBeGreaterThanOrEqual(KILL_EVERY);
    expect(refused.filter((code) => !/^4\d\d$/.test(code))).toEqual([]);
    const stored = new Set((await storedIn(env.ctx, team.info.id)).map((m) => m.messageIdHeader));
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);
  });
});
