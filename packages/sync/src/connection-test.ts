import { lookup } from "node:dns/promises";
import net from "node:net";
import tls from "node:tls";
import type { ConnectorAccount, ConnectorTlsMode } from "@madoguchi/core";
import { explainConnectError, type FailedStep } from "./diagnostics";
import { imapClientFor } from "./imap-client";
import { smtpTransportFor } from "./smtp-client";

export interface CheckResult {
  service: "IMAP" | "SMTP";
  step: FailedStep | "ok";
  ok: boolean;
  message: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  checks: CheckResult[];
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`${what} timed out`), { code: "ETIMEDOUT" })),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** DNS, then TCP, then (implicit TLS only) the certificate: the steps before the protocol speaks. */
async function probe(
  service: "IMAP" | "SMTP",
  host: string,
  port: number,
  mode: ConnectorTlsMode,
  allowInvalidCert: boolean,
  timeoutMs: number,
): Promise<CheckResult[]> {
  const checks: CheckResult[] = [];
  const fail = (err: unknown): CheckResult[] => {
    const e = explainConnectError(err, service, host, port);
    return [...checks, { service, step: e.step, ok: false, message: e.message }];
  };
  let address: string;
  try {
    address = (await withTimeout(lookup(host), timeoutMs, "DNS lookup")).address;
    checks.push({ service, step: "dns", ok: true, message: `${host} resolves to ${address}` });
  } catch (err) {
    return fail(err);
  }
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        const socket = net.connect({ host: address, port }, () => {
          socket.destroy();
          resolve();
        });
        socket.on("error", reject);
      }),
      timeoutMs,
      "TCP connect",
    );
    checks.push({ service, step: "tcp", ok: true, message: `${address}:${port} accepts connections` });
  } catch (err) {
    return fail(err);
  }
  if (mode !== "tls") return checks;
  try {
    const subject = await withTimeout(
      new Promise<string>((resolve, reject) => {
        const socket = tls.connect(
          {
            host: address,
            port,
            servername: net.isIP(host) ? undefined : host,
            rejectUnauthorized: !allowInvalidCert,
            checkServerIdentity: (_h, cert) => tls.checkServerIdentity(host, cert),
          },
          () => {
            const cert = socket.getPeerCertificate();
            socket.destroy();
            resolve(String(cert.subject?.CN ?? "(no CN)"));
          },
        );
        socket.on("error", reject);
      }),
      timeoutMs,
      "TLS handshake",
    );
    checks.push({ service, step: "tls", ok: true, message: `TLS certificate is valid (${subject})` });
  } catch (err) {
    return fail(err);
  }
  return checks;
}

/**
 * Connects to the provider's IMAP and SMTP servers as the sync would, and says what failed:
 * DNS, TCP, TLS certificate, authentication, or a followed folder that does not exist.
 * Read-only: it lists folders and logs out.
 */
export async function testConnection(
  account: ConnectorAccount,
  secretKey: Buffer,
  options: { timeoutMs?: number } = {},
): Promise<ConnectionTestResult> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const checks = await probe(
    "IMAP",
    account.imapHost,
    account.imapPort,
    account.imapTls,
    account.allowInvalidCert,
    timeoutMs,
  );
  if (checks.every((c) => c.ok)) {
    const client = imapClientFor(account, { secretKey, connectTimeoutMs: timeoutMs });
    client.on("error", () => {});
    try {
      await client.connect();
      checks.push({ service: "IMAP", step: "auth", ok: true, message: `logged in as ${account.imapUser}` });
      const listed = new Set((await client.list()).map((f) => f.path));
      const wanted = [...account.folders, ...(account.sentFolder ? [account.sentFolder] : [])];
      for (const folder of new Set(wanted)) {
        const exists = folder.toUpperCase() === "INBOX" || listed.has(folder);
        checks.push({
          service: "IMAP",
          step: "folder",
          ok: exists,
          message: exists
            ? `folder ${folder} exists`
            : `Folder ${folder} does not exist; existing: ${[...listed].join(", ")}`,
        });
      }
      await client.logout();
    } catch (err) {
      const e = explainConnectError(err, "IMAP", account.imapHost, account.imapPort);
      checks.push({ service: "IMAP", step: e.step, ok: false, message: e.message });
      client.close();
    }
  }
  if (account.smtpHost && account.smtpPort) {
    const smtpChecks = await probe(
      "SMTP",
      account.smtpHost,
      account.smtpPort,
      account.smtpTls ?? "tls",
      account.allowInvalidCert,
      timeoutMs,
    );
    checks.push(...smtpChecks);
    const transport = smtpTransportFor(account, secretKey, timeoutMs);
    if (smtpChecks.every((c) => c.ok) && transport) {
      try {
        await transport.verify();
        checks.push({ service: "SMTP", step: "auth", ok: true, message: "SMTP server accepts the login" });
      } catch (err) {
        const e = explainConnectError(err, "SMTP", account.smtpHost, account.smtpPort);
        checks.push({ service: "SMTP", step: e.step, ok: false, message: e.message });
      } finally {
        transport.close();
      }
    }
  }
  return { ok: checks.every((c) => c.ok), checks };
}
