// An ingest worker that exits, as a crashed thread would: on receiving a message whose text says
// DIE, or right after giving the result of one that says LATE (before its blob's sync is reported).
import { parentPort } from "node:worker_threads";
import "../../src/ingest/ingest-worker";
import type { WorkerReply } from "../../src/ingest/ingest-pool";

const port = parentPort;
if (port) {
  const post = port.postMessage.bind(port);
  port.postMessage = (reply: WorkerReply) => {
    post(reply);
    if ("result" in reply && !reply.result.dmarcRejected && reply.result.content.parsed?.subject === "LATE")
      process.exit(4);
  };
  port.on("message", ({ request }: { request: { raw: Uint8Array } }) => {
    if (Buffer.from(request.raw).includes("DIE")) process.exit(3);
  });
}
