// SMTP inbound benchmark: Postfix's smtp-source against our MX at 1, 10 and 50 concurrent
// sessions, 5 KB and 100 KB messages, on PGlite and on PostgreSQL (127.0.0.1:5432 unless
// BENCH_DATABASE_URL is set). Every run is bounded by a message count and a time budget.
// Reports messages/s (wall clock of smtp-source, every message answered 250 = stored) and the
// server's resident memory after the run. Narrow a run as smtp-load's: BENCH_DRIVERS=postgres,
// BENCH_SMTP_SIZES=5 (KB), BENCH_SMTP_SESSIONS=10.
import { execFile } from "node:child_process";
import fs from "node:fs";
import type { DriverName } from "@madoguchi/db/client";
import { messages } from "@madoguchi/db/schema";
import { sql } from "drizzle-orm";
import { createTeam } from "../packages/core/test/fixtures";
import { createTestEnv } from "../packages/core/test/harness";
import { startTestSmtp } from "../packages/smtp/test/support/smtp-env";
import { benchDrivers } from "./drivers";
import { BENCH_LIMITS, chosenCases } from "./smtp-load";
import { printTable } from "./stats";

const SMTP_SOURCE = "/usr/sbin/smtp-source";
const CASES = [
  {
    kb: 5,
    messages: { 1: 300, 10: 5000, 50: 5000 },
    warmUp: { 1: 300, 10: 3000, 50: 3000 },
  },
  {
    kb: 100,
    messages: { 1: 100, 10: 400, 50: 400 },
    warmUp: { 1: 100, 10: 500, 50: 500 },
  },
] as const;
const SESSIONS = [1, 10, 50] as const;
const TIME_BUDGET_MS = 60_000;

function smtpSource(port: number, sessions: number, count: number, bytes: number): Promise<void> {
  const args = ["-s", String(sessions), "-m", String(count), "-l", String(bytes), "-d"];
  args.push("-f", "bench@customer.example", "-t", "info@example.co.jp", "-M", "bench.customer.example");
  args.push(`127.0.0.1:${port}`);
  return new Promise((resolve, reject) => {
    execFile(SMTP_SOURCE, args, { timeout: TIME_BUDGET_MS }, (err, _stdout, stderr) =>
      err ? reject(new Error(`smtp-source: ${err.message} ${stderr}`)) : resolve(),
    );
  });
}

/**
 * One case on a fresh server: smtp-source twice, a warm-up (the first messages after a start,
 * while V8 still compiles the hot paths: the "cold" rate) and then the measured run on the warm
 * server, as one running for days. msg/s counts the messages stored by each run.
 */
async function runCase(driver: DriverName, bytes: number, sessions: number, count: number, warmUp: number) {
  const env = await createTestEnv(driver, { pgliteDir: true });
  const smtp = await startTestSmtp(env.ctx, env.dir, { limits: BENCH_LIMITS });
  const storedCount = async () => {
    const [row] = await env.ctx.db.select({ n: sql<number>`count(*)::int` }).from(messages);
    return row?.n ?? 0;
  };
  const timed = async (n: number) => {
    const before = await storedCount();
    const started = performance.now();
    await smtpSource(smtp.mxPort, sessions, n, bytes);
    const seconds = (performance.now() - started) / 1000;
    const stored = (await storedCount()) - before;
    return { stored, rate: stored / seconds };
  };
  try {
    await createTeam(env.ctx);
    const cold = await timed(warmUp);
    const warm = await timed(count);
    return { ...warm, cold, rssMb: process.memoryUsage().rss / 2 ** 20 };
  } finally {
    await smtp.close();
    await env.close();
  }
}

export async function smtpBench(): Promise<void> {
  if (!fs.existsSync(SMTP_SOURCE)) {
    console.log(`smtp: ${SMTP_SOURCE} not found (apt-get install postfix); skipped.`);
    return;
  }
  const rows: (string | number)[][] = [];
  for (const driver of await benchDrivers()) {
    for (const { c, sessions, count, warmUp } of chosenCases(CASES, SESSIONS)) {
      const r = await runCase(driver, c.kb * 1024, sessions, count, warmUp);
      rows.push([
        driver,
        `${c.kb} KB`,
        sessions,
        `${r.cold.stored}/${warmUp}`,
        r.cold.rate.toFixed(1),
        `${r.stored}/${count}`,
        r.rate.toFixed(1),
        r.rssMb.toFixed(0),
      ]);
    }
  }
  console.log("\nsmtp: smtp-source → MX (250 = blob fsynced + transaction committed), SPF/DKIM/DMARC on");
  console.log("cold: the first messages after the server starts (a warm-up); then the measured run after it");
  printTable(["driver", "size", "sessions", "cold stored", "cold msg/s", "stored", "msg/s", "rss MB"], rows);
}
