// Child process of outbound-crash.test.ts: runs the outbound queue worker (the same
// startQueueWorker the server runs) on the test's database until it is killed with SIGKILL.
// Prints "READY" once the worker runs; the parent counts what its receiving server answered.
import path from "node:path";
import { openDb } from "@madoguchi/db/client";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import { startQueueWorker } from "../src/listeners";
import { HOSTNAME } from "./support/smtp-env";

const env = process.env;
const dir = env.WORKER_DIR ?? "";
const handle = await openDb({
  url: env.WORKER_DB_URL || undefined,
  pgliteDir: env.WORKER_PGLITE_DIR || undefined,
});
const ctx = { db: handle.db, blobs: new FsBlobStore(path.join(dir, "blobs")) };
startQueueWorker({
  ctx,
  config: {
    dataDir: dir,
    hostname: HOSTNAME,
    bind: "127.0.0.1",
    ports: { smtp: 0, submission: 0, submissions: 0 },
    smtp: {
      dnsServers: [env.WORKER_DNS ?? "127.0.0.1:9"],
      outboundPort: Number(env.WORKER_OUTBOUND_PORT),
      outboundConcurrency: Number(env.WORKER_CONCURRENCY),
      deliveryLeaseMs: Number(env.WORKER_LEASE_MS),
      queuePollMs: 100,
      retry: { retryDelaysMs: [200] },
    },
  },
  onError: (err) => console.error(err),
});
process.stdout.write("READY\n");
// Bounded: the parent kills it long before this.
setTimeout(() => process.exit(3), 120_000);
