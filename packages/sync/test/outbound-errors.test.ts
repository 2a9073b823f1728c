import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { addSharedInbox, type ConnectorAccount } from "@madoguchi/core";
import { connectorAccounts } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { testConnection } from "../src/connection-test";
import { createConnectorRoute } from "../src/outbound";
import { loadSecretKey, openSecret, sealSecret } from "../src/secret-box";
import { type Dovecot, startDovecot } from "./dovecot";
import { connectDovecot, plainMail, secretKey } from "./setup";

interface Received {
  from: string;
  to: string[];
  raw: Buffer;
}

/** The provider's submission server: AUTH required, rejects one recipient with 550. */
async function startProviderSmtp(user: string, pass: string) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _s, cb) {
      if (auth.username === user && auth.password === pass) cb(null, { user });
      else cb(Object.assign(new Error("Invalid credentials"), { responseCode: 535 }));
    },
    onRcptTo(address, _s, cb) {
      if (address.address.startsWith("nobody@"))
        cb(Object.assign(new Error("No such user"), { responseCode: 550 }));
      else cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as { port: number };
  return { port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("secret box", () => {
  it("seals with AES-256-GCM, refuses a wrong key, keeps a generated key file", () => {
    const sealed = sealSecret(secretKey, "パスワード");
    expect(sealed).not.toContain("パスワード");
    expect(openSecret(secretKey, sealed)).toBe("パスワード");
    expect(() => openSecret(Buffer.alloc(32, 1), sealed)).toThrow(/MADOGUCHI_SECRET_KEY differs/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "madoguchi-key-"));
    try {
      const a = loadSecretKey({ dataDir: dir });
      expect(loadSecretKey({ dataDir: dir }).equals(a)).toBe(true);
      expect(fs.statSync(path.join(dir, "connector-secret.key")).mode & 0o777).toBe(0o600);
      expect(loadSecretKey({ dataDir: dir, key: secretKey.toString("hex") }).equals(secretKey)).toBe(true);
      expect(() => loadSecretKey({ dataDir: dir, key: "short" })).toThrow(/32 bytes/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Plain mail number n for the connector route, to a customer unless told otherwise. */
function deliveryFor(inboxId: number, n: number, to = ["c1@customer.example"]) {
  return {
    inboxId,
    messageIdHeader: `mail-${n}@y`,
    domain: "customer.example",
    envelope: { from: "info@provider.test", to },
    raw: plainMail(n),
    signal: new AbortController().signal,
  };
}

describe.each(drivers)("outbound and diagnostics on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let dovecot: Dovecot;
  let smtp: Awaited<ReturnType<typeof startProviderSmtp>>;

  beforeAll(async () => {
    [env, dovecot] = await Promise.all([createTestEnv(driver), startDovecot()]);
    team = await createTeam(env.ctx);
    smtp = await startProviderSmtp(dovecot.user, dovecot.password);
  });
  afterAll(async () => {
    await smtp?.close();
    await dovecot?.stop();
    await env?.close();
  });

  it("sends through the provider's SMTP and APPENDs one Sent copy, even when retried", async () => {
    await connectDovecot(env.ctx, dovecot, team.info.address, {
      smtpHost: "127.0.0.1",
      smtpPort: smtp.port,
      smtpTls: "none",
      smtpUser: dovecot.user,
    });
    const route = createConnectorRoute({ ctx: env.ctx, secretKey, timeoutMs: 5_000 });
    const raw = plainMail(1, { from: "info@provider.test", folder: "reply" });
    const delivery = {
      inboxId: team.info.id,
      messageIdHeader: "m1.reply@customer.example",
      domain: "customer.example",
      envelope: { from: "info@provider.test", to: ["c1@customer.example", "nobody@customer.example"] },
      raw,
      signal: new AbortController().signal,
    };
    const outcome = await route.attempt(delivery);
    expect(Object.keys(outcome?.delivered ?? {})).toEqual(["c1@customer.example"]);
    expect(outcome?.failed["nobody@customer.example"]?.code).toBe(550);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.to).toEqual(["c1@customer.example"]);
    expect(smtp.received[0]?.raw.toString()).toContain("Message-ID: <m1.reply@customer.example>");
    await route.attempt({ ...delivery, envelope: { ...delivery.envelope, to: ["c1@customer.example"] } });
    const client = await dovecot.client();
    const lock = await client.getMailboxLock("Sent", { readOnly: true });
    const sent = await client.fetchAll("1:*", { uid: true, source: true, flags: true }, { uid: true });
    lock.release();
    await client.logout();
    expect(sent).toHaveLength(1);
    expect(sent[0]?.source?.equals(raw)).toBe(true);
    const other = await addSharedInbox(env.ctx, { address: "native@example.co.jp", name: "native" });
    expect(await route.attempt({ ...delivery, inboxId: other.id })).toBeNull();
  });

  it("defers (retry) when the provider's SMTP is gone, and says why", async () => {
    const gone = await addSharedInbox(env.ctx, { address: "gone@example.co.jp", name: "gone" });
    await connectDovecot(env.ctx, dovecot, gone.address, {
      smtpHost: "127.0.0.1",
      smtpPort: 1,
      smtpTls: "none",
    });
    const route = createConnectorRoute({ ctx: env.ctx, secretKey, timeoutMs: 2_000 });
    const outcome = await route.attempt(deliveryFor(gone.id, 9));
    expect(outcome?.deferred["c1@customer.example"]?.response).toMatch(/^TCP: SMTP 127\.0\.0\.1:1 refused/);
    // The CLI's text keeps the job's name; the page gets the code, its facts and the job apart.
    expect(lastErrorOf(await connectorOf(gone.id))).toEqual({
      lastError: "Sending: TCP: SMTP 127.0.0.1:1 refused the connection; is the port right?",
      lastErrorCode: "tcp_refused",
      lastErrorParams: { service: "SMTP", host: "127.0.0.1", port: 1 },
      lastErrorContext: "sending",
    });
  });

  it("records the provider's SMTP reply as protocol_error with its text, and a refused login as auth_failed", async () => {
    const refusing = await addSharedInbox(env.ctx, { address: "refusing@example.co.jp", name: "refusing" });
    await connectDovecot(env.ctx, dovecot, refusing.address, {
      smtpHost: "127.0.0.1",
      smtpPort: smtp.port,
      smtpTls: "none",
      smtpUser: dovecot.user,
    });
    const route = createConnectorRoute({ ctx: env.ctx, secretKey, timeoutMs: 5_000 });
    const delivery = deliveryFor(refusing.id, 10, ["nobody@customer.example"]);
    const outcome = await route.attempt(delivery);
    const reply = outcome?.failed["nobody@customer.example"]?.response ?? "";
    expect(reply).toMatch(/^550 /);
    expect(lastErrorOf(await connectorOf(refusing.id))).toEqual({
      lastError: `Sending: ${reply}`,
      lastErrorCode: "protocol_error",
      lastErrorParams: { service: "SMTP", host: "127.0.0.1", port: smtp.port, detail: reply },
      lastErrorContext: "sending",
    });

    const account = await connectorOf(refusing.id);
    await env.ctx.db
      .update(connectorAccounts)
      .set({ smtpPasswordSealed: sealSecret(secretKey, "wrong password") })
      .where(eq(connectorAccounts.id, account.id));
    const refused = await route.attempt({
      ...delivery,
      envelope: { ...delivery.envelope, to: ["c1@customer.example"] },
    });
    expect(refused?.failed["c1@customer.example"]?.code).toBe(535);
    const stored = lastErrorOf(await connectorOf(refusing.id));
    expect(stored).toMatchObject({
      lastErrorCode: "auth_failed",
      lastErrorParams: { service: "SMTP", host: "127.0.0.1", port: smtp.port },
      lastErrorContext: "sending",
    });
    expect(stored.lastError).toMatch(
      /^Sending: Authentication: SMTP 127\.0\.0\.1:\d+ refused the user name or password/,
    );
  });

  it("records a failed Sent copy with its job, after the mail went out", async () => {
    const copyless = await addSharedInbox(env.ctx, { address: "copyless@example.co.jp", name: "copyless" });
    await connectDovecot(env.ctx, dovecot, copyless.address, {
      imapPassword: "wrong password",
      smtpHost: "127.0.0.1",
      smtpPort: smtp.port,
      smtpTls: "none",
      smtpUser: dovecot.user,
      smtpPassword: dovecot.password,
    });
    const route = createConnectorRoute({ ctx: env.ctx, secretKey, timeoutMs: 5_000 });
    const outcome = await route.attempt(deliveryFor(copyless.id, 11));
    expect(Object.keys(outcome?.delivered ?? {})).toEqual(["c1@customer.example"]);
    const stored = lastErrorOf(await connectorOf(copyless.id));
    expect(stored).toMatchObject({
      lastErrorCode: "auth_failed",
      lastErrorParams: { service: "IMAP", host: "127.0.0.1", port: dovecot.port },
      lastErrorContext: "sentCopy",
    });
    expect(stored.lastError).toMatch(/^Sent copy: Authentication: IMAP 127\.0\.0\.1:\d+ refused/);
  });

  const lastErrorOf = (a: ConnectorAccount) => ({
    lastError: a.lastError,
    lastErrorCode: a.lastErrorCode,
    lastErrorParams: a.lastErrorParams,
    lastErrorContext: a.lastErrorContext,
  });

  async function connectorOf(inboxId: number) {
    const { findConnectorByInbox } = await import("@madoguchi/core");
    const found = await findConnectorByInbox(env.ctx.db, inboxId);
    if (!found) throw new Error("no connector");
    return found;
  }

  it("connection test: all good, then wrong password, TLS certificate, server gone, DNS, missing folder", async () => {
    const ok = await testConnection(await connectorOf(team.info.id), secretKey, { timeoutMs: 3_000 });
    expect(ok.checks.filter((c) => !c.ok)).toEqual([]);
    expect(ok.checks.map((c) => `${c.service} ${c.step}`)).toEqual([
      "IMAP dns",
      "IMAP tcp",
      "IMAP auth",
      "IMAP folder",
      "IMAP folder",
      "SMTP dns",
      "SMTP tcp",
      "SMTP auth",
    ]);
    // Each step has a code for the web page to word, and the facts it needs.
    expect(ok.checks.map((c) => c.code)).toEqual([
      "dns_ok",
      "tcp_ok",
      "auth_ok",
      "folder_ok",
      "folder_ok",
      "dns_ok",
      "tcp_ok",
      "smtp_auth_ok",
    ]);
    expect(ok.checks[0]?.params).toEqual({ host: "127.0.0.1", address: "127.0.0.1" });
    expect(ok.checks[2]?.params).toEqual({ user: dovecot.user });
    const cases: [string, Parameters<typeof connectDovecot>[3], string, RegExp, string][] = [
      [
        "pw",
        { imapPassword: "wrong" },
        "auth",
        /^Authentication: IMAP 127\.0\.0\.1:\d+ refused the user name or password/,
        "auth_failed",
      ],
      [
        "tls",
        { imapTls: "tls", imapPort: dovecot.tlsPort },
        "tls",
        /^TLS certificate of IMAP 127\.0\.0\.1:\d+: /,
        "tls_self_signed",
      ],
      ["gone", { imapPort: 1 }, "tcp", /^TCP: IMAP 127\.0\.0\.1:1 refused the connection/, "tcp_refused"],
      [
        "dns",
        { imapHost: "no-such-host.invalid" },
        "dns",
        /^DNS: no-such-host\.invalid does not resolve/,
        "dns_not_found",
      ],
      [
        "folder",
        { folders: ["INBOX", "Archive/2020"] },
        "folder",
        /^Folder Archive\/2020 does not exist/,
        "folder_missing",
      ],
    ];
    const codes: Record<string, { code: string | null; params: Record<string, string | number> }> = {};
    for (const [name, extra, step, message, code] of cases) {
      const inbox = await addSharedInbox(env.ctx, { address: `diag-${name}@example.co.jp`, name });
      const account = await connectDovecot(env.ctx, dovecot, inbox.address, extra);
      const result = await testConnection(account, secretKey, { timeoutMs: 3_000 });
      const failed = result.checks.filter((c) => !c.ok);
      expect(result.ok, name).toBe(false);
      expect(
        failed.map((c) => c.step),
        name,
      ).toEqual([step]);
      expect(failed[0]?.message, name).toMatch(message);
      expect(failed[0]?.code, name).toBe(code);
      const check = failed[0];
      if (check) codes[name] = { code: check.code, params: check.params };
    }
    expect(codes.gone).toMatchObject({ params: { service: "IMAP", host: "127.0.0.1", port: 1 } });
    expect(codes.folder).toMatchObject({ params: { folder: "Archive/2020" } });
    expect(String(codes.folder?.params.existing)).toContain("INBOX");
  });
});
