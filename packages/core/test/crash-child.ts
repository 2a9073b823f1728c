// Child process of crash.test.ts: delivers a stream of messages and reports each one that
// resolved, until it is killed with SIGKILL. Bounded in count so it stops by itself.
import path from "node:path";
import { openDb } from "@madoguchi/db/client";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import { deliver } from "../src/deliver/deliver";
import { mail } from "./fixtures";

const MAX_MESSAGES = 5000;
const CONCURRENCY = 4;

const dir = process.env.CRASH_DIR ?? "";
const handle = await openDb({
  url: process.env.CRASH_DB_URL || undefined,
  pgliteDir: process.env.CRASH_PGLITE_DIR || undefined,
});
const ctx = { db: handle.db, blobs: new FsBlobStore(path.join(dir, "blobs")) };
const inboxId = Number(process.env.CRASH_INBOX_ID);
let next = 0;

async function worker(): Promise<void> {
  while (next < MAX_MESSAGES) {
    const n = next++;
    // Vary the size so some deliveries span several filesystem blocks.
    const body = `クラッシュ試験 ${n}\r\n${"本文".repeat((n % 7) * 500)}`;
    const result = await deliver(
      ctx,
      inboxId,
      mail({ messageId: `crash-${n}@customer.example`, subject: `試験 ${n}`, body }),
    );
    process.stdout.write(`OK ${n} ${result.messageId} ${result.blobHash}\n`);
  }
}

process.stdout.write("READY\n");
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
await handle.close();
