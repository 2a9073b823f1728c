// An ingest worker thread: verifies, stamps, stores and parses MX mail for the listener's thread.

import { parentPort, workerData } from "node:worker_threads";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import { type IngestRequest, ingest, ingestEnv } from "./ingest";
import type { IngestWorkerData, WorkerReply } from "./ingest-pool";

const data = workerData as IngestWorkerData;
const env = ingestEnv(data, new FsBlobStore(data.blobsDir));

parentPort?.on("message", ({ id, request }: { id: number; request: IngestRequest }) => {
  ingest(request, env).then(
    (result) => parentPort?.postMessage({ id, result } satisfies WorkerReply),
    (err: unknown) =>
      parentPort?.postMessage({
        id,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      } satisfies WorkerReply),
  );
});
