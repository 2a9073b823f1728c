// The SMTP load generator, run as a child process of the bench so that its CPU and memory are
// not counted as the server's. Parameters come as one JSON argument; progress and the result go
// back over the IPC channel. Bounded by a message count and a time budget.

import { sampleMail } from "./mail-sample";
import { SmtpLoadSession } from "./smtp-client";
import { percentile } from "./stats";

export interface LoadParams {
  port: number;
  sessions: number;
  count: number;
  bytes: number;
  timeBudgetMs: number;
  /** Report progress every this many acknowledged messages (0 = never). */
  progressEvery: number;
  /** Every odd message follows up the one before it (sampleMail). */
  replies?: boolean;
}

export type LoadMessage =
  | { type: "progress"; acked: number }
  | {
      type: "done";
      acked: number;
      failed: number;
      firstError: string | null;
      seconds: number;
      p50: number;
      p99: number;
      max: number;
    };

/** Give up after this many failed messages: the server is broken, not slow. */
const MAX_FAILURES = 100;

async function run(p: LoadParams): Promise<LoadMessage> {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const deadline = started + p.timeBudgetMs;
  const more = () => next < p.count && performance.now() < deadline && failed < MAX_FAILURES;
  const session = async () => {
    let smtp: SmtpLoadSession | null = null;
    while (more()) {
      const n = next++;
      try {
        smtp ??= await SmtpLoadSession.open(p.port);
        latencies.push(
          await smtp.send("bench@customer.example", "info@example.co.jp", sampleMail(n, p.bytes, p.replies)),
        );
        if (p.progressEvery && latencies.length % p.progressEvery === 0)
          process.send?.({ type: "progress", acked: latencies.length } satisfies LoadMessage);
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
        await smtp?.quit().catch(() => undefined);
        smtp = null;
      }
    }
    await smtp?.quit();
  };
  await Promise.all(Array.from({ length: p.sessions }, session));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    type: "done",
    acked: latencies.length,
    failed,
    firstError,
    seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
  };
}

const params = JSON.parse(process.argv[2] ?? "{}") as LoadParams;
const result = await run(params);
process.send?.(result, () => process.exit(0));
