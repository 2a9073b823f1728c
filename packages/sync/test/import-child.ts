// Child process of import-crash.test.ts: runs the initial import of INBOX and reports each
// committed message on stdout ("OK <uid> <messageId>") until the parent kills it with SIGKILL.
import path from "node:path";
import { type CoreContext, claimConnectorLease, getConnector } from "@madoguchi/core";
import { openDb } from "@madoguchi/db/client";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import { syncFolder } from "../src/folder-sync";
import { imapClientFor } from "../src/imap-client";

const env = process.env;
const handle = await openDb({
  url: env.CHILD_DB_URL || undefined,
  pgliteDir: env.CHILD_PGLITE_DIR || undefined,
});
const ctx: CoreContext = { db: handle.db, blobs: new FsBlobStore(path.join(env.CHILD_DIR ?? "", "blobs")) };
const accountId = Number(env.CHILD_ACCOUNT_ID);
const owner = "child-process";
if (!(await claimConnectorLease(ctx, accountId, owner, Number(env.CHILD_LEASE_MS))))
  throw new Error("no lease");
// Renewed as the workers do; after SIGKILL it simply runs out and the next process takes over.
setInterval(() => void claimConnectorLease(ctx, accountId, owner, Number(env.CHILD_LEASE_MS)), 300);
const account = await getConnector(ctx.db, accountId);
const client = imapClientFor(account, {
  secretKey: Buffer.from(env.CHILD_SECRET_KEY ?? "", "hex"),
  connectTimeoutMs: 5_000,
});
await client.connect();
await syncFolder({
  ctx,
  client,
  account,
  owner,
  remoteName: "INBOX",
  batchSize: 10,
  onDelivered: (uid, r) => process.stdout.write(`OK ${uid} ${r.messageId}\n`),
});
process.stdout.write("DONE\n");
// Stay alive: the parent kills; a child that finished too early fails the test.
setInterval(() => {}, 1_000);
