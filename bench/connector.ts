// Connector bench: initial import rate of a Dovecot mailbox on loopback into PostgreSQL, and
// the time from APPEND at the provider to the conversation existing here (IDLE path).
import { randomBytes } from "node:crypto";
import { conversations, messages } from "@madoguchi/db/schema";
import { and, count, eq } from "drizzle-orm";
import { createTeam } from "../packages/core/test/fixtures";
import { createTestEnv } from "../packages/core/test/harness";
import { startConnectorWorkers } from "../packages/sync/src/workers";
import { startDovecot } from "../packages/sync/test/dovecot";
import { accountState, connectDovecot, plainMail, testConfig } from "../packages/sync/test/setup";

const MESSAGES = Number(process.env.CONNECTOR_BENCH_MESSAGES ?? 20_000);
const LATENCY_SAMPLES = 50;
const IMPORT_TIME_BOUND_MS = 15 * 60_000;
const SAMPLE_TIME_BOUND_MS = 10_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function connectorBench(): Promise<void> {
  if (!process.env.TEST_DATABASE_URL) {
    console.log("connector bench: set TEST_DATABASE_URL (it measures the import into PostgreSQL)");
    return;
  }
  const [env, dovecot] = await Promise.all([createTestEnv("postgres"), startDovecot()]);
  let workers: ReturnType<typeof startConnectorWorkers> | undefined;
  try {
    const team = await createTeam(env.ctx);
    const filler = randomBytes(1500).toString("base64");
    for (let n = 1; n <= MESSAGES; n++)
      dovecot.writeMaildir(Buffer.concat([plainMail(n), Buffer.from(`${filler}\r\n`)]));
    await connectDovecot(env.ctx, dovecot, team.info.address, { folders: ["INBOX"] });
    const started = Date.now();
    workers = startConnectorWorkers({ ctx: env.ctx, config: testConfig({ batchSize: 500 }) });
    for (let i = 0; i < 1_000_000 && Date.now() - started < IMPORT_TIME_BOUND_MS; i++) {
      const state = await accountState(env.ctx, team.info.address);
      if (state.folderStates[0]?.importFinishedAt) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (Date.now() - started) / 1000;
    const [stored] = await env.ctx.db
      .select({ n: count() })
      .from(messages)
      .where(eq(messages.inboxId, team.info.id));
    const latencies: number[] = [];
    const client = await dovecot.client();
    for (let n = 0; n < LATENCY_SAMPLES; n++) {
      const subject = `bench-latency-${n}`;
      const t0 = performance.now();
      await client.append("INBOX", plainMail(MESSAGES + 1 + n, { subject }));
      for (let i = 0; i < 10_000 && performance.now() - t0 < SAMPLE_TIME_BOUND_MS; i++) {
        const [row] = await env.ctx.db
          .select({ id: conversations.id })
          .from(conversations)
          .where(and(eq(conversations.inboxId, team.info.id), eq(conversations.subject, subject)));
        if (row) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      latencies.push(performance.now() - t0);
    }
    await client.logout();
    latencies.sort((a, b) => a - b);
    console.log("connector (Dovecot on loopback → PostgreSQL)");
    console.log(
      `  initial import: ${stored?.n ?? 0}/${MESSAGES} messages in ${seconds.toFixed(1)} s = ${((stored?.n ?? 0) / seconds).toFixed(0)} msg/s`,
    );
    console.log(
      `  APPEND → conversation (${LATENCY_SAMPLES} samples): p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms`,
    );
  } finally {
    await workers?.close();
    await dovecot.stop();
    await env.close();
  }
}
