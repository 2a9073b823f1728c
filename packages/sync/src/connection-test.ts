import { lookup } from "node:dns/promises";
import net from "node:net";
import tls from "node:tls";
import type { ConnectorAccount, ConnectorTlsMode } from "@madoguchi/core";
import {
  type CodeParams,
  type ConnectorErrorCode,
  codedFacts,
  explainConnectError,
  type FailedStep,
} from "./diagnostics";
import { imapClientFor } from "./imap-client";
import { smtpTransportFor } from "./smtp-client";

/** What a passed step found; a failed step carries its ConnectorErrorCode instead. */
export type CheckCode = "dns_ok" | "tcp_ok" | "tls_ok" | "auth_ok" | "smtp_auth_ok" | "folder_ok";

export interface CheckResult {
  service: "IMAP" | "SMTP";
  step: FailedStep | "ok";
  ok: boolean;
  /**
   * Stable name of the outcome; the web page words it from `code` and `params`. Null for a failure
   * that has none (codedFacts): the page shows `message`.
   */
  code: CheckCode | Exclude<ConnectorErrorCode, "unclassified"> | null;
  params: CodeParams;
  /** The same in English, for the CLI and logs. */
  message: string;
}

/** A failed step as a check, with the explained error's code. */
function failed(service: "IMAP" | "SMTP", err: unknown, host: string, port: number): CheckResult {
  const e = explainConnectError(err, service, host, port);
  return { service, step: e.step, ok: false, ...codedFacts(e), message: e.message };
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
  const fail = (err: unknown): CheckResult[] => [...checks, failed(service, err, host, port)];
  let address: string;
  try {
    address = (await withTimeout(lookup(host), timeoutMs, "DNS lookup")).address;
    checks.push({
      service,
      step: "dns",
      ok: true,
      code: "dns_ok",
      params: { host, address },
      message: `${host} resolves to ${address}`,
    });
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
    checks.push({
      service,
      step: "tcp",
      ok: true,
      code: "tcp_ok",
      params: { address, port },
      message: `${address}:${port} accepts connections`,
    });
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
    checks.push({
      service,
      step: "tls",
      ok: true,
      code: "tls_ok",
      params: { subject },
      message: `TLS certificate is valid (${subject})`,
    });
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
      checks.push({
        service: "IMAP",
        step: "auth",
        ok: true,
        code: "auth_ok",
        params: { user: account.imapUser },
        message: `logged in as ${account.imapUser}`,
      });
      const listed = new Set((await client.list()).map((f) => f.path));
      const wanted = [...account.folders, ...(account.sentFolder ? [account.sentFolder] : [])];
      for (const folder of new Set(wanted)) {
        const exists = folder.toUpperCase() === "INBOX" || listed.has(folder);
        const existing = [...listed].join(", ");
        checks.push({
          service: "IMAP",
          step: "folder",
          ok: exists,
          code: exists ? "folder_ok" : "folder_missing",
          params: exists ? { folder } : { folder, existing },
          message: exists
            ? `folder ${folder} exists`
            : `Folder ${folder} does not exist; existing: ${existing}`,
        });
      }
      await client.logout();
    } catch (err) {
      checks.push(failed("IMAP", err, account.imapHost, account.imapPort));
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
        checks.push({
          service: "SMTP",
          step: "auth",
          ok: true,
          code: "smtp_auth_ok",
          params: { user: account.smtpUser ?? account.imapUser },
          message: "SMTP server accepts the login",
        });
      } catch (err) {
        checks.push(failed("SMTP", err, account.smtpHost, account.smtpPort));
      } finally {
        transport.close();
      }
    }
  }
  return { ok: checks.every((c) => c.ok), checks };
}
