import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { addSharedInbox } from "@madoguchi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { type ConnectorWorkers, startConnectorWorkers } from "../src/workers";
import { type Dovecot, startDovecot } from "./dovecot";
import {
  accountState,
  connectDovecot,
  conversationsOf,
  messagesOf,
  plainMail,
  testConfig,
  waitFor,
} from "./setup";

const here = path.dirname(fileURLToPath(import.meta.url));
const jisRaw = fs.readFileSync(path.join(here, "../../mail/test/fixtures/iso2022jp-labelled.eml"));
const jisExpected = JSON.parse(
  fs.readFileSync(path.join(here, "../../mail/test/fixtures/iso2022jp-labelled.json"), "utf8"),
) as { subject: string; messageId: string };

describe.each(drivers)("connector sync against Dovecot on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let dovecot: Dovecot;
  let workers: ConnectorWorkers | undefined;

  beforeAll(async () => {
    [env, dovecot] = await Promise.all([createTestEnv(driver), startDovecot()]);
    team = await createTeam(env.ctx);
    const client = await dovecot.client();
    await client.mailboxCreate("Support");
    await client.append("INBOX", jisRaw);
    for (let n = 1; n <= 5; n++) await client.append("INBOX", plainMail(n), n % 2 ? ["\\Seen"] : []);
    await client.append("Sent", plainMail(100, { folder: "sent", from: "info@provider.test" }), ["\\Seen"]);
    for (let n = 1; n <= 3; n++) await client.append("Support", plainMail(n, { folder: "support" }));
    // The same message in two folders is stored once.
    await client.append("Support", plainMail(1));
    await client.logout();
    await connectDovecot(env.ctx, dovecot, team.info.address, { folders: ["INBOX", "Sent", "Support"] });
  });
  afterAll(async () => {
    await workers?.close();
    await dovecot?.stop();
    await env?.close();
  });

  it("imports every folder once, ISO-2022-JP intact, without touching the remote", async () => {
    workers = startConnectorWorkers({ ctx: env.ctx, config: testConfig() });
    // 6 INBOX + 1 Sent + 3 Support (the 4th Support message is INBOX's m1 again).
    const rows = await waitFor(
      async () => {
        const r = await messagesOf(env.ctx, team.info.id);
        return r.length >= 10 ? r : null;
      },
      20_000,
      "the initial import",
    );
    const state = await waitFor(
      async () => {
        const s = await accountState(env.ctx, team.info.address);
        // The pass is recorded as a success just after its last folder's checkpoint.
        const done = s.folderStates.length === 3 && s.folderStates.every((f) => f.importFinishedAt);
        return done && s.lastSuccessAt ? s : null;
      },
      10_000,
      "checkpoints",
    );
    expect(rows).toHaveLength(10);
    const jis = rows.find((r) => r.messageIdHeader === jisExpected.messageId);
    expect(jis?.subject).toBe(jisExpected.subject);
    expect(jis?.bodyText).toContain("見積");
    const sent = rows.filter((r) => r.direction === "outbound");
    expect(sent.map((r) => r.messageIdHeader)).toEqual(["m100.sent@customer.example"]);
    expect(state.lastError).toBeNull();
    expect(state.lastSuccessAt).toBeInstanceOf(Date);
    const inbox = state.folderStates.find((f) => f.remoteName === "INBOX");
    expect(inbox?.lastUid).toBe(6);
    expect(inbox?.importDone).toBe(6);
    // Read-only: unread mail stays unread at the provider.
    const client = await dovecot.client();
    const lock = await client.getMailboxLock("INBOX", { readOnly: true });
    const flags = await client.fetchAll("1:*", { uid: true, flags: true }, { uid: true });
    lock.release();
    await client.logout();
    const unseen = flags.filter((m) => !m.flags?.has("\\Seen")).map((m) => m.uid);
    expect(unseen).toEqual([1, 3, 5]);
  });

  it("takes mail APPENDed to INBOX within 2 s (IDLE, not the 10-minute poll)", async () => {
    const client = await dovecot.client();
    const latencies: number[] = [];
    for (let n = 200; n < 203; n++) {
      const started = Date.now();
      await client.append("INBOX", plainMail(n, { subject: `新着 ${n}` }));
      await waitFor(
        async () => (await conversationsOf(env.ctx, team.info.id)).some((c) => c.subject === `新着 ${n}`),
        2_000,
        `conversation for mail ${n}`,
      );
      latencies.push(Date.now() - started);
    }
    await client.logout();
    expect(Math.max(...latencies)).toBeLessThan(2_000);
    expect(await messagesOf(env.ctx, team.info.id)).toHaveLength(13);
  });

  it("resyncs a recreated folder (new UIDVALIDITY) without duplicates, found by the periodic check", async () => {
    await workers?.close();
    workers = startConnectorWorkers({ ctx: env.ctx, config: testConfig({ pollMs: 500 }) });
    const before = (await accountState(env.ctx, team.info.address)).folderStates.find(
      (f) => f.remoteName === "Support",
    );
    const client = await dovecot.client();
    await client.mailboxDelete("Support");
    await client.mailboxCreate("Support");
    for (let n = 1; n <= 3; n++) await client.append("Support", plainMail(n, { folder: "support" }));
    await client.append("Support", plainMail(4, { folder: "support" }));
    await client.logout();
    const after = await waitFor(
      async () => {
        const f = (await accountState(env.ctx, team.info.address)).folderStates.find(
          (s) => s.remoteName === "Support",
        );
        return f && f.uidValidity !== before?.uidValidity && f.importFinishedAt && f.lastUid === 4 ? f : null;
      },
      10_000,
      "the Support resync",
    );
    expect(after.importDone).toBe(4);
    const rows = await messagesOf(env.ctx, team.info.id);
    expect(rows).toHaveLength(14);
    const ids = rows.map((r) => r.messageIdHeader);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain("m4.support@customer.example");
  });

  it("lets only one process sync an account (lease)", async () => {
    const other = startConnectorWorkers({ ctx: env.ctx, config: testConfig(), owner: "other-process" });
    try {
      await other.rescan();
      await workers?.rescan();
      expect(other.active()).toEqual([]);
      expect(workers?.active()).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it("keeps a second connected inbox going while another one fails", async () => {
    const sales = await addSharedInbox(env.ctx, { address: "sales@example.co.jp", name: "営業" });
    const broken = await addSharedInbox(env.ctx, { address: "broken@example.co.jp", name: "壊れた" });
    await connectDovecot(env.ctx, dovecot, broken.address, { imapPassword: "wrong" });
    await connectDovecot(env.ctx, dovecot, sales.address, { folders: ["INBOX"] });
    await workers?.rescan();
    await waitFor(async () => (await messagesOf(env.ctx, sales.id)).length === 9, 10_000, "sales import");
    const failing = await waitFor(
      async () => {
        const s = await accountState(env.ctx, broken.address);
        return s.lastError ? s : null;
      },
      10_000,
      "the broken account's error",
    );
    expect(failing.lastError).toMatch(
      /^Authentication: IMAP 127\.0\.0\.1:\d+ refused the user name or password/,
    );
    expect(failing).toMatchObject({
      lastErrorCode: "auth_failed",
      lastErrorParams: { service: "IMAP", host: "127.0.0.1", port: dovecot.port },
      lastErrorContext: null,
    });
    expect(failing.lastSuccessAt).toBeNull();
    // It keeps retrying (backoff 200 ms → 1 s) without taking the process down. Dovecot answers
    // a wrong password after its auth_failure_delay (2 s) plus a penalty per failed attempt from
    // the address (2, 4, 8, at most 15 s): on a slow machine, where the sales import took longer
    // and the attempts piled up, one retry can take 17 s.
    const firstAt = failing.lastErrorAt?.getTime() ?? 0;
    await waitFor(
      async () => ((await accountState(env.ctx, broken.address)).lastErrorAt?.getTime() ?? 0) > firstAt,
      40_000,
      "a retry",
    );
    expect(workers?.active()).toHaveLength(3);
  });
});
