import type { ConnectorAccount } from "@madoguchi/core";
import nodemailer from "nodemailer";
import { openSecret } from "./secret-box";

/** A nodemailer transport to the provider's submission server, or null when none is configured. */
export function smtpTransportFor(account: ConnectorAccount, secretKey: Buffer, timeoutMs: number) {
  if (!account.smtpHost || !account.smtpPort) return null;
  const pass = account.smtpPasswordSealed ? openSecret(secretKey, account.smtpPasswordSealed) : undefined;
  const user = account.smtpUser ?? account.imapUser;
  return nodemailer.createTransport({
    host: account.smtpHost,
    port: account.smtpPort,
    secure: account.smtpTls === "tls",
    requireTLS: account.smtpTls === "starttls",
    ignoreTLS: account.smtpTls === "none",
    auth: pass !== undefined ? { user, pass } : undefined,
    tls: { rejectUnauthorized: !account.allowInvalidCert },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs * 3,
    // One message per connection: the queue worker decides pacing and retries.
    pool: false,
  });
}
