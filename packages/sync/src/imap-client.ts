import type { ConnectorAccount } from "@madoguchi/core";
import { ImapFlow } from "imapflow";
import { openSecret } from "./secret-box";

export interface ImapClientOptions {
  secretKey: Buffer;
  connectTimeoutMs: number;
  maxIdleMs?: number;
}

/** An imapflow client for the account's provider (not yet connected), quiet unless asked. */
export function imapClientFor(account: ConnectorAccount, options: ImapClientOptions): ImapFlow {
  return new ImapFlow({
    host: account.imapHost,
    port: account.imapPort,
    secure: account.imapTls === "tls",
    // "starttls" must upgrade (never send the password in clear); "none" is for loopback/tests.
    doSTARTTLS: account.imapTls === "starttls" ? true : account.imapTls === "none" ? false : undefined,
    auth: { user: account.imapUser, pass: openSecret(options.secretKey, account.imapPasswordSealed) },
    tls: { rejectUnauthorized: !account.allowInvalidCert },
    logger: false,
    connectionTimeout: options.connectTimeoutMs,
    greetingTimeout: options.connectTimeoutMs,
    maxIdleTime: options.maxIdleMs,
    disableAutoIdle: options.maxIdleMs === undefined,
    // IDLE soon after the last command, so new mail is announced within a second, not after 15 s.
    autoIdleDelay: 300,
    clientInfo: { name: "Madoguchi connector" },
  });
}

export interface RemoteFolder {
  path: string;
  specialUse: string | null;
}

/** Local folder and direction for a remote one: Sent-like folders are our outbound mail. */
export function localTargetOf(
  account: ConnectorAccount,
  folder: RemoteFolder | undefined,
  remoteName: string,
): { mailbox: "INBOX" | "Sent"; direction: "inbound" | "outbound" } {
  const sentLike =
    folder?.specialUse === "\\Sent" ||
    remoteName === account.sentFolder ||
    /^(sent|sent items|sent messages|送信済み|送信済みアイテム|\[gmail\]\/sent mail)$/i.test(remoteName);
  return sentLike ? { mailbox: "Sent", direction: "outbound" } : { mailbox: "INBOX", direction: "inbound" };
}
