// An ingest worker that exits, as a crashed thread would, when a message's text says DIE.
import { parentPort } from "node:worker_threads";
import "../../src/ingest/ingest-worker";

parentPort?.on("message", ({ request }: { request: { raw: Uint8Array } }) => {
  if (Buffer.from(request.raw).includes("DIE")) process.exit(3);
});
