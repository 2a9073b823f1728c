// Ingest benchmark: deliver() throughput and latency for 10 KB and 1 MB messages, 1 and 16
// concurrent, on PGlite and on PostgreSQL (127.0.0.1:5432 unless BENCH_DATABASE_URL is set).
// Every run is bounded by a message count and a time budget.
import type { DriverName } from "@madoguchi/db/client";
import { deliver } from "../packages/core/src/deliver/deliver";
import { createTeam } from "../packages/core/test/fixtures";
import { createTestEnv } from "../packages/core/test/harness";
import { benchDrivers } from "./drivers";
import { sampleMail } from "./mail-sample";
import { percentile, printTable } from "./stats";

const CASES = [
  { label: "10 KB", bytes: 10 * 1024, maxMessages: 600 },
  { label: "1 MB", bytes: 1024 * 1024, maxMessages: 80 },
];
const CONCURRENCY = [1, 16];
const TIME_BUDGET_MS = 15_000;

async function runCase(driver: DriverName, bytes: number, maxMessages: number, concurrency: number) {
  const env = await createTestEnv(driver, { pgliteDir: true });
  try {
    const team = await createTeam(env.ctx);
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    const deadline = started + TIME_BUDGET_MS;
    const worker = async () => {
      while (next < maxMessages && performance.now() < deadline) {
        const raw = sampleMail(next++, bytes);
        const t0 = performance.now();
        await deliver(env.ctx, team.info.id, raw);
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      count: latencies.length,
      rate: latencies.length / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
  } finally {
    await env.close();
  }
}

export async function ingestBench(): Promise<void> {
  const driverList = await benchDrivers();
  const rows: (string | number)[][] = [];
  for (const driver of driverList) {
    for (const c of CASES) {
      for (const concurrency of CONCURRENCY) {
        const r = await runCase(driver, c.bytes, c.maxMessages, concurrency);
        rows.push([
          driver,
          c.label,
          concurrency,
          r.count,
          r.rate.toFixed(1),
          r.p50.toFixed(1),
          r.p99.toFixed(1),
        ]);
      }
    }
  }
  console.log("\ningest: deliver() = blob fsync + parse + one transaction");
  printTable(["driver", "size", "concurrent", "messages", "msg/s", "p50 ms", "p99 ms"], rows);
}
