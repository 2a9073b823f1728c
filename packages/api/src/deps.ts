import type { AuthThrottle, ChangeFeed, ConnectorToolkit, CoreContext, DnsToolkit } from "@madoguchi/core";
import type { RealtimeEvents } from "./realtime/events";

/** What apps/server hands the web API. */
export interface ApiDeps {
  ctx: CoreContext;
  /** The process's one change feed (LISTEN): drives realtime nudges. */
  feed: ChangeFeed;
  /** This server's name, used on the right of Message-IDs of web replies. */
  hostname: string;
  /** PostgreSQL URL: socket.io fans out through @socket.io/postgres-adapter. Unset (PGlite): in-memory. */
  databaseUrl?: string;
  /** DKIM-signs an outgoing message for a domain; unset = sent unsigned (tests, before SMTP is built). */
  signOutbound?: (raw: Buffer, domain: string) => Promise<Buffer>;
  /** A web reply was queued: wake the delivery workers now instead of at their next poll. */
  onQueued?: () => void;
  /** Failed-login throttle; default the process-wide one shared with IMAP/POP3/SMTP. */
  throttle?: AuthThrottle;
  /** Session cookie's Secure flag: "auto" (default) = Secure unless plain HTTP to a loopback host. */
  secureCookies?: boolean | "auto";
  /** Sealing and the connection test for the connector admin router (packages/sync's connectorToolkit). */
  connectors?: ConnectorToolkit;
  /** The DNS records of a domain for the admin page (packages/smtp's dnsShow / dnsCheck). */
  dns?: DnsToolkit;
  /** Tuning for tests. */
  realtime?: { presenceTtlMs?: number; recheckMs?: number };
  /** How often due スヌーズ are ended (default SNOOZE_TICK_MS); tests make it shorter. */
  snoozeTickMs?: number;
  /** How often due 自動返信 are sent (default AUTO_REPLY_TICK_MS); tests make it shorter. */
  autoReplyTickMs?: number;
  /** Errors nobody waits for (a realtime pull failing); default console.error. */
  onError?: (err: unknown) => void;
}

export interface ApiRuntime {
  deps: ApiDeps;
  /** Pushes to connected browsers; a no-op until socket.io is attached. */
  events: RealtimeEvents;
}
