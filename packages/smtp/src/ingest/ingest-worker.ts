// An ingest worker thread: verifies, stamps, stores and parses MX mail for the listener's thread.

import { parentPort, workerData } from "node:worker_threads";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import { type IngestRequest, ingest, ingestEnv } from "./ingest";
import type { IngestWorkerData, WorkerReply } from "./ingest-pool";

const data = workerData as IngestWorkerData;
const env = ingestEnv(data, new FsBlobStore(data.blobsDir));

const reply = (message: WorkerReply) => parentPort?.postMessage(message);
const describe = (err: unknown) => (err instanceof Error ? (err.stack ?? err.message) : String(err));

parentPort?.on("message", ({ id, request }: { id: number; request: IngestRequest }) => {
  ingest(request, env).then(
    (result) => {
      // A promise does not cross to the listener's thread: the result goes first, the blob's
      // sync follows as a reply of its own.
      const synced = result.dmarcRejected ? undefined : result.content.synced;
      if (result.dmarcRejected || !synced) return reply({ id, result, syncing: false });
      const { synced: _, ...content } = result.content;
      reply({ id, result: { ...result, content }, syncing: true });
      synced.then(
        () => reply({ id, synced: true }),
        (err: unknown) => reply({ id, syncError: describe(err) }),
      );
    },
    (err: unknown) => reply({ id, error: describe(err) }),
  );
});
