// SMTP inbound load with our own client (bench/smtp-client.ts, in a child process): messages/s
// and the time from end of DATA to "250" (p50, p99) per driver, size and concurrent sessions.
// "250" = blob fsynced + transaction committed. Each case is bounded by a count and a time budget.
// Narrow a run with BENCH_DRIVERS=postgres, BENCH_SMTP_SIZES=5 (KB), BENCH_SMTP_SESSIONS=10.
// BENCH_SMTP_REPLIES=1 makes every other message a follow-up of the one before (mail-sample.ts).
import type { DriverName } from "@madoguchi/db/client";
import { messages } from "@madoguchi/db/schema";
import { sql } from "drizzle-orm";
import { createTeam } from "../packages/core/test/fixtures";
import { createTestEnv } from "../packages/core/test/harness";
import { startTestSmtp } from "../packages/smtp/test/support/smtp-env";
import { cpuPerItem, markCpu } from "./cpu";
import { benchDrivers } from "./drivers";
import { type LoadResult, runLoad } from "./smtp-load-runner";
import { printTable } from "./stats";

const CASES = [
  { kb: 5, messages: { 1: 500, 10: 5000, 50: 5000 }, warmUp: { 1: 500, 10: 3000, 50: 3000 } },
  { kb: 100, messages: { 1: 100, 10: 1000, 50: 1000 }, warmUp: { 1: 100, 10: 500, 50: 500 } },
] as const;
const SESSIONS = [1, 10, 50] as const;
const TIME_BUDGET_MS = 60_000;
/** BENCH_INGEST_WORKERS=0 verifies and parses on the listener's thread, for comparison. */
const INGEST_WORKERS = process.env.BENCH_INGEST_WORKERS
  ? Number(process.env.BENCH_INGEST_WORKERS)
  : undefined;

/** Limits that would otherwise refuse a load generator on one address. */
export const BENCH_LIMITS = {
  maxConnectionsPerIp: 1000,
  maxMessagesPerIpPerMinute: 100_000_000,
  maxClients: 2000,
};

/** A comma-separated list of numbers from the environment, or null when unset. */
export function listFromEnv(name: string): number[] | null {
  const value = process.env[name];
  return value ? value.split(",").map(Number) : null;
}

/** A size's message counts (measured, and the warm-up before), by concurrent sessions. */
export interface BenchCase {
  kb: number;
  messages: Readonly<Record<number, number>>;
  warmUp: Readonly<Record<number, number>>;
}

/** Each case and session count a run takes, narrowed by BENCH_SMTP_SIZES and BENCH_SMTP_SESSIONS. */
export function* chosenCases<C extends BenchCase>(cases: readonly C[], sessions: readonly number[]) {
  const sizes = listFromEnv("BENCH_SMTP_SIZES");
  for (const c of cases.filter((c) => !sizes || sizes.includes(c.kb)))
    for (const n of listFromEnv("BENCH_SMTP_SESSIONS") ?? sessions)
      yield {
        c,
        sessions: n,
        count: c.messages[n] ?? c.messages[10] ?? 0,
        warmUp: c.warmUp[n] ?? c.warmUp[10] ?? 0,
      };
}

/** Messages stored so far, all inboxes. */
async function storedCount(db: Awaited<ReturnType<typeof createTestEnv>>["ctx"]["db"]): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(messages);
  return row?.n ?? 0;
}

/**
 * One case on a fresh server: a warm-up load first (the first messages after a start, while V8
 * still compiles the hot paths: reported as "cold"), then the measured load on the warm server,
 * which is what a server running for days does. Both bounded by count and time.
 */
async function runCase(
  driver: DriverName,
  bytes: number,
  sessions: number,
  count: number,
  warmUp: number,
): Promise<LoadResult & { stored: number; cold: LoadResult; cpu: ReturnType<typeof cpuPerItem> }> {
  const env = await createTestEnv(driver, { pgliteDir: true });
  const smtp = await startTestSmtp(env.ctx, env.dir, { limits: BENCH_LIMITS, ingestWorkers: INGEST_WORKERS });
  try {
    await createTeam(env.ctx);
    const load = (n: number) =>
      runLoad({
        port: smtp.mxPort,
        sessions,
        count: n,
        bytes,
        timeBudgetMs: TIME_BUDGET_MS,
        progressEvery: 0,
        replies: process.env.BENCH_SMTP_REPLIES === "1",
      });
    const cold = await load(warmUp);
    const before = await storedCount(env.ctx.db);
    const mark = markCpu();
    const result = await load(count);
    const cpu = cpuPerItem(mark, Math.max(1, result.acked));
    return { ...result, stored: (await storedCount(env.ctx.db)) - before, cold, cpu };
  } finally {
    await smtp.close();
    await env.close();
  }
}

export async function smtpLoadBench(): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const driver of await benchDrivers()) {
    for (const { c, sessions, count, warmUp } of chosenCases(CASES, SESSIONS)) {
      const r = await runCase(driver, c.kb * 1024, sessions, count, warmUp);
      if (r.cold.firstError)
        console.log(
          `${driver} ${c.kb} KB ×${sessions} warm-up: ${r.cold.failed} failed, first: ${r.cold.firstError}`,
        );
      if (r.firstError)
        console.log(`${driver} ${c.kb} KB ×${sessions}: ${r.failed} failed, first: ${r.firstError}`);
      rows.push([
        driver,
        `${c.kb} KB`,
        sessions,
        `${r.acked}/${count}`,
        r.stored,
        `${(r.cold.acked / r.cold.seconds).toFixed(1)} (${r.cold.acked})`,
        (r.acked / r.seconds).toFixed(1),
        r.p50.toFixed(1),
        r.p99.toFixed(1),
        r.cpu.server.toFixed(2),
        r.cpu.postgres === null || driver === "pglite" ? "-" : r.cpu.postgres.toFixed(2),
      ]);
    }
  }
  console.log("\nsmtp-load: our client → MX; latency = end of DATA → 250 (blob fsynced + committed)");
  console.log(
    "cold: the first messages after the server starts (a warm-up, not counted further); the rest: the measured load after it",
  );
  console.log(
    "CPU ms/msg: the server process (all threads; PGlite runs inside it) and PostgreSQL's processes",
  );
  printTable(
    [
      "driver",
      "size",
      "sessions",
      "250s",
      "stored",
      "cold msg/s",
      "msg/s",
      "p50 ms",
      "p99 ms",
      "server CPU",
      "PG CPU",
    ],
    rows,
  );
}
