// Memory soak: a long stream of 5 KB messages over 10 SMTP sessions into one inbox, printing the
// server's memory and rate every 10,000 messages; flat figures mean nothing accumulates per
// message and no statement slows down as the inbox grows. Half the mail follows up earlier mail
// (In-Reply-To / References), so the threading lookups run against the growing inbox.
// Bounded by BENCH_SOAK_MESSAGES (default 100,000) and BENCH_SOAK_SECONDS (default 1,800).
// PostgreSQL when reachable (BENCH_DRIVERS=pglite for the embedded database).
import { messages } from "@madoguchi/db/schema";
import { sql } from "drizzle-orm";
import { createTeam } from "../packages/core/test/fixtures";
import { createTestEnv } from "../packages/core/test/harness";
import { startTestSmtp } from "../packages/smtp/test/support/smtp-env";
import { benchDrivers } from "./drivers";
import { BENCH_LIMITS } from "./smtp-load";
import { runLoad } from "./smtp-load-runner";
import { printTable } from "./stats";

const MESSAGES = Number(process.env.BENCH_SOAK_MESSAGES ?? 100_000);
const TIME_BUDGET_MS = Number(process.env.BENCH_SOAK_SECONDS ?? 1800) * 1000;
const REPORT_EVERY = Math.min(10_000, Math.max(1, Math.floor(MESSAGES / 10)));
const SESSIONS = 10;
const BYTES = 5 * 1024;

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

export async function smtpSoakBench(): Promise<void> {
  const driver = (await benchDrivers()).at(-1) ?? "pglite";
  const env = await createTestEnv(driver, { pgliteDir: true });
  const smtp = await startTestSmtp(env.ctx, env.dir, { limits: BENCH_LIMITS });
  const rows: (string | number)[][] = [];
  try {
    await createTeam(env.ctx);
    const started = performance.now();
    let last = { acked: 0, at: started };
    const sample = (acked: number) => {
      const now = performance.now();
      // A full collection first (npm run bench exposes gc): what survives it is what the server
      // keeps, where the heap size between collections is only the collector's pacing.
      (globalThis as { gc?: () => void }).gc?.();
      const mem = process.memoryUsage();
      const rate = (acked - last.acked) / ((now - last.at) / 1000);
      last = { acked, at: now };
      const row = [
        acked,
        ((now - started) / 1000).toFixed(0),
        rate.toFixed(1),
        mb(mem.rss),
        mb(mem.heapUsed),
        mb(mem.external),
      ];
      console.log(`smtp-soak ${driver}: ${row.join(" ")}`);
      rows.push(row);
    };
    sample(0);
    const result = await runLoad(
      {
        port: smtp.mxPort,
        sessions: SESSIONS,
        count: MESSAGES,
        bytes: BYTES,
        timeBudgetMs: TIME_BUDGET_MS,
        progressEvery: REPORT_EVERY,
        replies: true,
      },
      sample,
    );
    const [stored] = await env.ctx.db.select({ n: sql<number>`count(*)::int` }).from(messages);
    console.log(
      `\nsmtp-soak: ${driver}, ${SESSIONS} sessions × 5 KB: ${result.acked}/${MESSAGES} answered 250 ` +
        `(${stored?.n ?? 0} stored, ${result.failed} failed${result.firstError ? `, first: ${result.firstError}` : ""}) ` +
        `in ${result.seconds.toFixed(0)} s = ${(result.acked / result.seconds).toFixed(1)} msg/s; ` +
        `end of DATA → 250 p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms`,
    );
    printTable(
      ["250s", "seconds", "msg/s (interval)", "server rss MB", "heap after GC MB", "external MB"],
      rows,
    );
  } finally {
    await smtp.close();
    await env.close();
  }
}
