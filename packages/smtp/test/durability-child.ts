// Child process of durability.test.ts: runs the SMTP listeners on the test's database until
// it is killed with SIGKILL. Prints "READY <mx port>" once it accepts connections.
import path from "node:path";
import { openDb } from "@madoguchi/db/client";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import { startListeners } from "../src/listeners";
import { testTls } from "./support/smtp-env";

const dir = process.env.DURABILITY_DIR ?? "";
const handle = await openDb({
  url: process.env.DURABILITY_DB_URL || undefined,
  pgliteDir: process.env.DURABILITY_PGLITE_DIR || undefined,
});
const ctx = { db: handle.db, blobs: new FsBlobStore(path.join(dir, "blobs")) };
const listeners = await startListeners({
  ctx,
  config: {
    dataDir: dir,
    hostname: "mx.example.co.jp",
    bind: "127.0.0.1",
    ports: { smtp: 0, submission: 0, submissions: 0 },
    smtp: {
      dnsServers: ["127.0.0.1:9"],
      outboundWorkers: false,
      limits: { greetingDelayMs: 0, maxMessagesPerIpPerMinute: 100_000 },
    },
  },
  tls: await testTls(),
  onError: (err) => console.error(err),
});
const mx = listeners.find((l) => l.name === "MX");
process.stdout.write(`READY ${mx?.address.split(":").at(-1)}\n`);
// Bounded: the parent kills it long before this.
setTimeout(() => process.exit(3), 120_000);
