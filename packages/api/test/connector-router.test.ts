import { addUser } from "@madoguchi/core";
import { connectorAccounts } from "@madoguchi/db/schema";
import { createTRPCClient, httpLink } from "@trpc/client";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTeamEnv } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { connectorToolkit } from "../../sync/src/toolkit";
import { type ConnectorWorkers, startConnectorWorkers } from "../../sync/src/workers";
import { type Dovecot, startDovecot } from "../../sync/test/dovecot";
import { plainMail, secretKey, testConfig, waitFor } from "../../sync/test/setup";
import type { AppRouter } from "../src/root";
import { agent, expectTrpcError, startTestServer, TestClient, type TestServer } from "./support";

const MAILS = 30;

describe.each(drivers)("connector admin router (%s)", (driver) => {
  const state = useTeamEnv(driver);
  let server: TestServer;
  let dovecot: Dovecot;
  let workers: ConnectorWorkers | undefined;
  let alice: TestClient;
  let admin: TestClient;
  /** Every HTTP body the admin's client received, to prove no password ever leaves. */
  const bodies: string[] = [];
  let recorded: ReturnType<typeof createTRPCClient<AppRouter>>;

  beforeAll(async () => {
    dovecot = await startDovecot();
    for (let n = 1; n <= MAILS; n++) dovecot.writeMaildir(plainMail(n));
    server = await startTestServer(state.env, {
      connectors: connectorToolkit(secretKey, { testTimeoutMs: 3_000 }),
    });
    await addUser(state.env.ctx, {
      email: "admin@example.co.jp",
      name: "管理者",
      password: "admin pass 1",
      isAdmin: true,
    });
    admin = new TestClient(server.url);
    await admin.login("admin@example.co.jp", "admin pass 1");
    alice = await agent(server, "alice");
    recorded = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${server.url}/api/trpc`,
          fetch: async (input, init) => {
            const headers = new Headers(init?.headers);
            headers.set("cookie", admin.cookie);
            headers.set("x-madoguchi-csrf", "1");
            const res = await fetch(input, { ...init, headers });
            bodies.push(await res.clone().text());
            return res;
          },
        }),
      ],
    });
  });
  afterAll(async () => {
    await workers?.close();
    await server?.close();
    await dovecot?.stop();
  });

  it("refuses every procedure to a user who is not an administrator", async () => {
    const t = alice.trpc.connector;
    const calls: [string, () => Promise<unknown>][] = [
      ["list", () => t.list.query()],
      [
        "add",
        () =>
          t.add.mutate({
            inboxAddress: "info@example.co.jp",
            imapHost: "127.0.0.1",
            imapPort: dovecot.port,
            imapTls: "none",
            imapUser: dovecot.user,
            imapPassword: dovecot.password,
          }),
      ],
      ["update", () => t.update.mutate({ accountId: 1, imapHost: "127.0.0.1" })],
      ["test", () => t.test.mutate({ accountId: 1 })],
      ["remove", () => t.remove.mutate({ accountId: 1 })],
      ["setMirrorSeen", () => t.setMirrorSeen.mutate({ accountId: 1, mirrorSeen: true })],
      ["setEnabled", () => t.setEnabled.mutate({ accountId: 1, enabled: false })],
    ];
    for (const [name, call] of calls)
      await expectTrpcError(call, "FORBIDDEN").catch((err: Error) => {
        throw new Error(`${name}: ${err.message}`);
      });
    expect(await state.env.ctx.db.select().from(connectorAccounts)).toEqual([]);
    await expectTrpcError(() => new TestClient(server.url).trpc.connector.list.query(), "UNAUTHORIZED");
  });

  it("lets an administrator add, test, follow the import, change and remove an account", async () => {
    const t = recorded.connector;
    const added = await t.add.mutate({
      inboxAddress: "info@example.co.jp",
      imapHost: "127.0.0.1",
      imapPort: dovecot.port,
      imapTls: "none",
      imapUser: dovecot.user,
      imapPassword: dovecot.password,
    });
    expect(added).toMatchObject({
      imapUser: dovecot.user,
      folders: ["INBOX"],
      mirrorSeen: false,
      enabled: true,
    });
    const tested = await t.test.mutate({ accountId: added.id });
    expect(tested.ok).toBe(true);
    expect(tested.checks.map((c) => `${c.service} ${c.step}`)).toEqual([
      "IMAP dns",
      "IMAP tcp",
      "IMAP auth",
      "IMAP folder",
    ]);

    workers = startConnectorWorkers({ ctx: state.env.ctx, config: testConfig({ batchSize: 10 }) });
    const listed = await waitFor(
      async () => {
        const [row] = await t.list.query();
        const inbox = row?.progress.find((p) => p.folder === "INBOX");
        return inbox && !inbox.importing && row?.lastSuccessAt ? row : null;
      },
      20_000,
      "the import to finish",
    );
    expect(listed.inboxAddress).toBe("info@example.co.jp");
    expect(listed.lastError).toBeNull();
    expect(listed.progress).toEqual([
      expect.objectContaining({
        folder: "INBOX",
        done: MAILS,
        total: MAILS,
        etaSeconds: 0,
        importing: false,
      }),
    ]);

    // A wrong password is reported as such by the test, and fixed by another update.
    await t.update.mutate({ accountId: added.id, imapPassword: "not-the-password-1" });
    const failing = await t.test.mutate({ accountId: added.id });
    expect(failing.ok).toBe(false);
    expect(failing.checks.at(-1)).toMatchObject({ service: "IMAP", step: "auth", ok: false });
    // The running sync fails the same way; its stored code and facts reach the page as they are.
    await workers.rescan();
    const broken = await waitFor(
      async () => {
        const [row] = await t.list.query();
        return row?.lastErrorCoded?.code === "auth_failed" ? row : null;
      },
      15_000,
      "the sync's auth error",
    );
    expect(broken.lastErrorCoded).toEqual({
      context: null,
      code: "auth_failed",
      params: { service: "IMAP", host: "127.0.0.1", port: dovecot.port, detail: expect.any(String) },
    });
    expect(broken.lastError).toMatch(/^Authentication: IMAP 127\.0\.0\.1:\d+ refused/);
    await t.update.mutate({
      accountId: added.id,
      imapPassword: dovecot.password,
      folders: ["INBOX", "Sent"],
    });
    expect((await t.test.mutate({ accountId: added.id })).ok).toBe(true);

    expect(await t.setMirrorSeen.mutate({ accountId: added.id, mirrorSeen: true })).toMatchObject({
      mirrorSeen: true,
    });
    expect(await t.setEnabled.mutate({ accountId: added.id, enabled: false })).toMatchObject({
      enabled: false,
    });
    await workers.rescan();
    expect(workers.active()).toEqual([]);
    // A row stored before migration 0011 has only the text: code null, the text as the detail.
    await state.env.ctx.db
      .update(connectorAccounts)
      .set({ lastError: "Sending: 550 5.7.1 Relaying denied", lastErrorCode: null, lastErrorParams: null })
      .where(eq(connectorAccounts.id, added.id));
    expect((await t.list.query())[0]?.lastErrorCoded).toEqual({
      context: null,
      code: null,
      params: { detail: "Sending: 550 5.7.1 Relaying denied" },
    });
    await expectTrpcError(
      () =>
        recorded.connector.update.mutate({
          accountId: added.id,
          smtpHost: "smtp.provider.test",
          smtpPort: null,
        }),
      "BAD_REQUEST",
    );
    await t.remove.mutate({ accountId: added.id });
    expect(await t.list.query()).toEqual([]);
    await expectTrpcError(() => recorded.connector.test.mutate({ accountId: added.id }), "NOT_FOUND");

    // Neither a password nor its sealed form was in any answer.
    const [sealedRow] = await state.env.ctx.db.select().from(connectorAccounts);
    expect(sealedRow).toBeUndefined();
    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) {
      expect(body).not.toContain(dovecot.password);
      expect(body).not.toContain("not-the-password-1");
      expect(body).not.toMatch(/[Ss]ealed/);
    }
  });
});
