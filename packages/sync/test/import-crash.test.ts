import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { claimConnectorLease, getConnector } from "@madoguchi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { runUntilKilled } from "../../core/test/run-until-killed";
import { syncFolder } from "../src/folder-sync";
import { imapClientFor } from "../src/imap-client";
import { type Dovecot, startDovecot } from "./dovecot";
import { accountState, connectDovecot, messagesOf, plainMail, secretKey, waitFor } from "./setup";

const here = path.dirname(fileURLToPath(import.meta.url));
const TOTAL = 120;
const KILL_AFTER = 35;
const LEASE_MS = 1_500;
const TIME_BOUND_MS = 60_000;

describe.each(drivers)("initial import killed with -9 on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let dovecot: Dovecot;
  let accountId: number;
  const jisRaw = fs.readFileSync(path.join(here, "../../mail/test/fixtures/iso2022jp-labelled.eml"));

  beforeAll(async () => {
    [env, dovecot] = await Promise.all([createTestEnv(driver, { pgliteDir: true }), startDovecot()]);
    team = await createTeam(env.ctx);
    dovecot.writeMaildir(jisRaw);
    for (let n = 2; n <= TOTAL; n++) dovecot.writeMaildir(plainMail(n));
    accountId = (await connectDovecot(env.ctx, dovecot, team.info.address)).id;
    await env.closeDb();
  });
  afterAll(async () => {
    await dovecot?.stop();
    await env?.close();
  });

  it("resumes from the checkpoint: every message once, none lost", async () => {
    // Each committed message, as the child reports it: "OK <uid> <messageId>".
    const acked = await runUntilKilled({
      script: path.join(here, "import-child.ts"),
      env: {
        CHILD_DIR: env.dir,
        CHILD_DB_URL: env.url ?? "",
        CHILD_PGLITE_DIR: env.pgliteDir ?? "",
        CHILD_ACCOUNT_ID: String(accountId),
        CHILD_SECRET_KEY: secretKey.toString("hex"),
        CHILD_LEASE_MS: String(LEASE_MS),
      },
      killAfter: KILL_AFTER,
      parseLine: (line) => (line.startsWith("OK ") ? Number(line.split(" ")[1]) : undefined),
      timeBoundMs: TIME_BOUND_MS,
    });
    await env.reopenDb();
    const mid = (await accountState(env.ctx, team.info.address)).folderStates[0];
    // Killed mid-import: the checkpoint covers whole batches only, behind what was committed.
    expect(mid?.importFinishedAt).toBeNull();
    expect(mid?.lastUid ?? 0).toBeLessThan(acked.length);
    expect((await messagesOf(env.ctx, team.info.id)).length).toBeGreaterThanOrEqual(acked.length);
    // A new process takes over once the dead one's lease expires.
    await waitFor(() => claimConnectorLease(env.ctx, accountId, "restarted", 60_000), 5_000, "the lease");
    const account = await getConnector(env.ctx.db, accountId);
    const client = imapClientFor(account, { secretKey, connectTimeoutMs: 5_000 });
    await client.connect();
    const result = await syncFolder({
      ctx: env.ctx,
      client,
      account,
      owner: "restarted",
      remoteName: "INBOX",
      batchSize: 10,
    });
    await client.logout();
    expect(result.duplicates).toBe(acked.length - (mid?.lastUid ?? 0));
    const rows = await messagesOf(env.ctx, team.info.id);
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((r) => r.messageIdHeader)).size).toBe(TOTAL);
    expect(rows.find((r) => r.messageIdHeader?.includes("yamada-shoji"))?.subject).toBe(
      "【お見積り】ご依頼の件について",
    );
    const done = (await accountState(env.ctx, team.info.address)).folderStates[0];
    expect(done).toMatchObject({ lastUid: TOTAL, importDone: TOTAL, importTotal: TOTAL });
    expect(done?.importFinishedAt).toBeInstanceOf(Date);
  });
});
