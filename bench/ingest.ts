// Ingest benchmark: deliver() throughput and latency for 10 KB and 1 MB messages, 1 and 16
// concurrent, on PGlite and on PostgreSQL (127.0.0.1:5432 unless BENCH_DATABASE_URL is set).
// Every run is bounded by a message count and a time budget.
import { randomBytes } from "node:crypto";
import type { DriverName } from "@madoguchi/db/client";
import { deliver } from "../packages/core/src/deliver/deliver";
import { createTeam } from "../packages/core/test/fixtures";
import { createTestEnv } from "../packages/core/test/harness";
import { benchDrivers } from "./drivers";
import { percentile, printTable } from "./stats";

const CASES = [
  { label: "10 KB", bytes: 10 * 1024, maxMessages: 600 },
  { label: "1 MB", bytes: 1024 * 1024, maxMessages: 80 },
];
const CONCURRENCY = [1, 16];
const TIME_BUDGET_MS = 15_000;

/** A realistic inbound mail: Japanese text part plus a base64 attachment filling it to `bytes`. */
function makeMessage(n: number, bytes: number): Buffer {
  const text = `お世話になっております。請求書 ${n} をお送りします。\r\n`.repeat(8);
  const head = [
    "From: 取引先 <billing@customer.example>",
    "To: info@example.co.jp",
    `Subject: =?UTF-8?B?${Buffer.from(`請求書 ${n}`).toString("base64")}?=`,
    `Message-ID: <bench-${n}-${randomBytes(6).toString("hex")}@customer.example>`,
    "Date: Fri, 27 Nov 2026 10:00:00 +0900",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    text,
    "--b1",
    'Content-Type: application/pdf; name="invoice.pdf"',
    "Content-Transfer-Encoding: base64",
    "",
  ].join("\r\n");
  const room = Math.max(0, bytes - head.length - 20);
  const b64 = randomBytes(Math.floor((room * 3) / 4))
    .toString("base64")
    .replace(/.{76}/g, "$&\r\n");
  return Buffer.from(`${head}\r\n${b64}\r\n--b1--\r\n`);
}

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
        const raw = makeMessage(next++, bytes);
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
