import type { RetryPolicy } from "@madoguchi/core";
import type { TlsMaterial } from "@madoguchi/tls";
import type { DnsblSettings } from "./dnsbl";
import type { InboundLimits } from "./limits";

/** Relay everything through one host, for networks where outbound port 25 is blocked (OP25B). */
export interface SmarthostSettings {
  host: string;
  /** 587 (STARTTLS, required) by default; 465 = implicit TLS. */
  port: number;
  user?: string;
  password?: string;
  /** Accept an unverifiable certificate (self-signed relay on a private network; tests). */
  tlsInsecure?: boolean;
}

/** What happens to mail failing DMARC of a domain that publishes p=reject. */
export type DmarcRejectAction = "reject" | "quarantine";

/** SMTP settings beyond ports and hostname; every field optional, defaults in limits.ts. */
export interface SmtpSettings {
  /** DNS servers ("127.0.0.1:5353", "1.1.1.1"); absent = the system's resolvers. */
  dnsServers?: string[];
  /** Port of remote MX hosts (25 in production; tests point it at a loopback server). */
  outboundPort?: number;
  smarthost?: SmarthostSettings;
  dmarcRejectAction?: DmarcRejectAction;
  /** DNS blocklists the MX looks client addresses up in (none by default). */
  dnsbl?: DnsblSettings;
  limits?: Partial<InboundLimits>;
  /** Outbound retry schedule, maximum age and delay-notice threshold. */
  retry?: Partial<RetryPolicy>;
  /** Deliveries in flight per process. */
  outboundConcurrency?: number;
  /** Lease of a claimed delivery. */
  deliveryLeaseMs?: number;
  /** Queue poll interval without a nudge. */
  queuePollMs?: number;
  /** Start the outbound delivery workers (default true; a node that only receives can turn them off). */
  outboundWorkers?: boolean;
  /**
   * Worker threads that verify, store and parse inbound MX mail; 0 = on the listener's thread.
   * Default: one per core beyond the first (PostgreSQL and the listener need the rest), at least one.
   */
  ingestWorkers?: number;
  /** The server's public IPv4 address, for `dns show` (the A record of the hostname). */
  publicIp?: string;
}

/** The part of the server's configuration the SMTP package reads (apps/server's ServerConfig fits it). */
export interface SmtpServerConfig {
  dataDir: string;
  hostname: string;
  bind: string;
  ports: { smtp: number; submission: number; submissions: number };
  smtp?: SmtpSettings;
}

export type { TlsMaterial };
