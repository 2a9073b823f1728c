import fs from "node:fs";
import { isIP } from "node:net";
import os from "node:os";
import path from "node:path";
import { type PasswordCost, parsePasswordCost } from "@madoguchi/core";
import { parsePostgresUrl } from "@madoguchi/db/pg-url";
import type { SmtpSettings } from "@madoguchi/smtp";
import { parseDnsblZone } from "@madoguchi/smtp/dnsbl";

/**
 * The server's configuration, read from the environment. This is the only file that reads
 * process.env: everything else receives a ServerConfig, so tests can pass their own.
 */
export interface ServerConfig {
  /** Absolute; holds the embedded database (pglite/) and the blob store (blobs/). */
  dataDir: string;
  /** PostgreSQL URL; undefined = embedded PGlite in pgliteDir. */
  databaseUrl?: string;
  pgliteDir: string;
  /**
   * A PGlite dump (MADOGUCHI_PGLITE_TEMPLATE) a new embedded database starts as instead of
   * initdb: for tests and for provisioning many instances; an existing database ignores it.
   */
  pgliteTemplate?: string;
  blobsDir: string;
  /** The name this server uses for itself (SMTP greeting, Message-IDs, login URL when bound to all interfaces). */
  hostname: string;
  /** Address every listener binds to. */
  bind: string;
  ports: Ports;
  /** When set and the database has no users, the first start creates this administrator. */
  adminEmail?: string;
  /** PEM key and certificate for every TLS listener; unset = self-signed, created at first start. */
  tlsKeyFile?: string;
  tlsCertFile?: string;
  /** Where the self-signed certificate is kept. */
  tlsDir: string;
  /** Key that encrypts external mailbox passwords at rest (64 hex digits or base64 of 32 bytes); unset = a key file in the data dir. */
  connectorSecretKey?: string;
  /** SMTP settings beyond ports (DNS servers, outbound port, smarthost, DMARC policy, size limit). */
  smtp: SmtpSettings;
  /** argon2id cost of new password hashes (MADOGUCHI_ARGON2); unset: core's default. */
  passwordCost?: PasswordCost;
  /** Recipients at other servers one user may send to per hour; 0: no limit; unset: core's default. */
  sendLimitPerHour?: number;
}

export interface Ports {
  http: number;
  smtp: number;
  submission: number;
  submissions: number;
  imap: number;
  imaps: number;
  pop3: number;
  pop3s: number;
}

/** Environment variable → port key and default. Unprivileged defaults so `npm start` needs no root. */
const PORT_VARS: Record<string, [keyof Ports, number]> = {
  HTTP_PORT: ["http", 3000],
  SMTP_PORT: ["smtp", 2525],
  SUBMISSION_PORT: ["submission", 2587],
  SUBMISSIONS_PORT: ["submissions", 2465],
  IMAP_PORT: ["imap", 2143],
  IMAPS_PORT: ["imaps", 2993],
  POP3_PORT: ["pop3", 2110],
  POP3S_PORT: ["pop3s", 2995],
};

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = "ConfigError";
  }
}

export type Source = Record<string, string | undefined>;

/** An unset or empty variable counts as unset (docker-compose writes `FOO=` for blanks). */
function read(source: Source, name: string): string | undefined {
  const value = source[name]?.trim();
  return value ? value : undefined;
}

function readPort(source: Source, name: string, fallback: number): number {
  const raw = read(source, name);
  if (raw === undefined) return fallback;
  // Port 0 is allowed: the OS picks a free port and the server prints the real one (tests use it).
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(name, `"${raw}" is not a port number (0-65535)`);
  }
  return Number(raw);
}

function readDatabaseUrl(source: Source): string | undefined {
  const raw = read(source, "DATABASE_URL");
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = parsePostgresUrl(raw);
  } catch {
    throw new ConfigError(
      "DATABASE_URL",
      "is not a URL; expected postgres://user:password@host:5432/database",
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError("DATABASE_URL", `must start with postgres:// (got ${url.protocol}//)`);
  }
  return raw;
}

const HOSTNAME_RE =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function readHost(source: Source, name: string, fallback: string, what: string): string {
  const value = read(source, name) ?? fallback;
  if (isIP(value) === 0 && !HOSTNAME_RE.test(value)) {
    throw new ConfigError(name, `"${value}" is not ${what}`);
  }
  return value;
}

/** The machine's name when it is a valid host name (some are not, e.g. with underscores), else localhost. */
function machineHostname(): string {
  const name = os.hostname();
  return HOSTNAME_RE.test(name) ? name : "localhost";
}

export function loadConfig(source: Source = process.env): ServerConfig {
  const dataDir = path.resolve(read(source, "MADOGUCHI_DATA_DIR") ?? "./data");
  const ports = {} as Ports;
  for (const [name, [key, fallback]] of Object.entries(PORT_VARS))
    ports[key] = readPort(source, name, fallback);
  const adminEmail = read(source, "MADOGUCHI_ADMIN_EMAIL");
  // The full address check is the domain's (normalizeAddress); this only catches an obvious slip early.
  if (adminEmail !== undefined && !adminEmail.includes("@")) {
    throw new ConfigError("MADOGUCHI_ADMIN_EMAIL", `"${adminEmail}" is not an email address`);
  }
  return {
    dataDir,
    databaseUrl: readDatabaseUrl(source),
    pgliteDir: path.join(dataDir, "pglite"),
    pgliteTemplate: readTemplate(source),
    blobsDir: path.join(dataDir, "blobs"),
    hostname: readHost(source, "MADOGUCHI_HOSTNAME", machineHostname(), "a host name"),
    // Loopback by default: a newcomer's `npm start` must not expose an unconfigured server to
    // the network. Containers and production set MADOGUCHI_BIND=0.0.0.0.
    bind: readHost(source, "MADOGUCHI_BIND", "127.0.0.1", "an IP address or host name to bind to"),
    ports,
    adminEmail,
    ...readTlsFiles(source),
    tlsDir: path.join(dataDir, "tls"),
    smtp: readSmtpSettings(source),
    sendLimitPerHour: readCount(source, "MADOGUCHI_SEND_LIMIT_PER_HOUR"),
    passwordCost: readPasswordCost(source),
    connectorSecretKey: read(source, "MADOGUCHI_SECRET_KEY"),
  };
}

function readPasswordCost(source: Source): PasswordCost | undefined {
  const value = read(source, "MADOGUCHI_ARGON2");
  if (value === undefined) return undefined;
  const cost = parsePasswordCost(value);
  if (!cost) throw new ConfigError("MADOGUCHI_ARGON2", `"${value}" is not m=<KiB>,t=<passes>,p=<lanes>`);
  return cost;
}

function readTemplate(source: Source): string | undefined {
  const file = read(source, "MADOGUCHI_PGLITE_TEMPLATE");
  if (file !== undefined && !fs.existsSync(file))
    throw new ConfigError("MADOGUCHI_PGLITE_TEMPLATE", `${file} does not exist`);
  return file && path.resolve(file);
}

/** A whole number of at most 9 digits, or undefined when unset. */
function readCount(source: Source, name: string): number | undefined {
  const value = read(source, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw new ConfigError(name, `"${value}" is not a whole number`);
  return Number(value);
}

function readSmtpSettings(source: Source): SmtpSettings {
  const smtp: SmtpSettings = {};
  const dns = read(source, "MADOGUCHI_DNS_SERVERS");
  if (dns)
    smtp.dnsServers = dns
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  const outboundPort = read(source, "MADOGUCHI_OUTBOUND_PORT");
  if (outboundPort) smtp.outboundPort = readPort(source, "MADOGUCHI_OUTBOUND_PORT", 25);
  const relay = read(source, "MADOGUCHI_SMARTHOST");
  if (relay) {
    const m = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(relay);
    if (!m?.[1]) throw new ConfigError("MADOGUCHI_SMARTHOST", `"${relay}" is not host or host:port`);
    smtp.smarthost = {
      host: m[1],
      port: m[2] ? Number(m[2]) : 587,
      user: read(source, "MADOGUCHI_SMARTHOST_USER"),
      password: read(source, "MADOGUCHI_SMARTHOST_PASSWORD"),
    };
  }
  const dmarc = read(source, "MADOGUCHI_DMARC_REJECT");
  if (dmarc) {
    if (dmarc !== "reject" && dmarc !== "quarantine") {
      throw new ConfigError("MADOGUCHI_DMARC_REJECT", `"${dmarc}" must be reject or quarantine`);
    }
    smtp.dmarcRejectAction = dmarc;
  }
  const dnsbl = read(source, "MADOGUCHI_DNSBL");
  const dnsblAction = read(source, "MADOGUCHI_DNSBL_ACTION") ?? "reject";
  if (dnsblAction !== "reject" && dnsblAction !== "quarantine")
    throw new ConfigError("MADOGUCHI_DNSBL_ACTION", `"${dnsblAction}" must be reject or quarantine`);
  if (dnsbl) {
    const zones = dnsbl
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    for (const zone of zones) {
      try {
        parseDnsblZone(zone);
      } catch (err) {
        throw new ConfigError("MADOGUCHI_DNSBL", (err as Error).message);
      }
    }
    smtp.dnsbl = { zones, action: dnsblAction };
  }
  const maxBytes = read(source, "MADOGUCHI_MAX_MESSAGE_BYTES");
  if (maxBytes) {
    if (!/^\d+$/.test(maxBytes))
      throw new ConfigError("MADOGUCHI_MAX_MESSAGE_BYTES", `"${maxBytes}" is not a number`);
    smtp.limits = { maxMessageBytes: Number(maxBytes) };
  }
  const publicIp = read(source, "MADOGUCHI_PUBLIC_IP");
  if (publicIp) {
    if (!isIP(publicIp)) throw new ConfigError("MADOGUCHI_PUBLIC_IP", `"${publicIp}" is not an IP address`);
    smtp.publicIp = publicIp;
  }
  const workers = read(source, "MADOGUCHI_OUTBOUND_WORKERS");
  if (workers === "false" || workers === "0") smtp.outboundWorkers = false;
  const ingest = read(source, "MADOGUCHI_INGEST_WORKERS");
  if (ingest) {
    if (!/^\d{1,2}$/.test(ingest))
      throw new ConfigError("MADOGUCHI_INGEST_WORKERS", `"${ingest}" is not a number of threads (0-99)`);
    smtp.ingestWorkers = Number(ingest);
  }
  return smtp;
}

function readTlsFiles(source: Source): { tlsKeyFile?: string; tlsCertFile?: string } {
  const tlsKeyFile = read(source, "MADOGUCHI_TLS_KEY");
  const tlsCertFile = read(source, "MADOGUCHI_TLS_CERT");
  if (!tlsKeyFile !== !tlsCertFile) {
    const missing = tlsKeyFile ? "MADOGUCHI_TLS_CERT" : "MADOGUCHI_TLS_KEY";
    throw new ConfigError(
      missing,
      "set both MADOGUCHI_TLS_KEY and MADOGUCHI_TLS_CERT, or neither (self-signed)",
    );
  }
  return {
    tlsKeyFile: tlsKeyFile && path.resolve(tlsKeyFile),
    tlsCertFile: tlsCertFile && path.resolve(tlsCertFile),
  };
}
