import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChangeFeed, ConnectorRoute, CoreContext } from "@madoguchi/core";
import type { TlsMaterial } from "@madoguchi/tls";
import type { ServerConfig } from "./env";

/**
 * The contract between this server and a protocol package (@madoguchi/smtp, /imap, /pop3):
 * the package's main entry exports `startListeners(deps)`, which binds its ports (taken from
 * deps.config.ports and deps.config.bind) and resolves once they accept connections.
 */
export interface ProtocolModule {
  startListeners(deps: ListenerDeps): Promise<RunningListener[]>;
}

export interface ListenerDeps {
  ctx: CoreContext;
  config: ServerConfig;
  /** The certificate for STARTTLS and implicit-TLS ports. */
  tls: TlsMaterial;
  /** Nudges when an inbox's change log advances (IMAP IDLE, outbound workers). */
  feed: ChangeFeed;
  /** Outbound route through an inbox's external provider (SMTP queue workers use it first). */
  connectorRoute?: ConnectorRoute;
}

export interface RunningListener {
  /** What it is for people, after its address in the start banner: "MX", "submission, STARTTLS", "TLS". */
  name: string;
  /** host:port actually bound. */
  address: string;
  close(): Promise<void>;
}

export type ProtocolStatus =
  | { label: string; state: "running"; listeners: RunningListener[] }
  | { label: string; state: "not built"; hint: string };

// "not built" also covers a package that exists but does not export startListeners yet: a
// package under construction must not keep the rest of the server from starting.

const PROTOCOLS = [
  { label: "SMTP", pkg: "@madoguchi/smtp", dir: "packages/smtp" },
  { label: "IMAP", pkg: "@madoguchi/imap", dir: "packages/imap" },
  { label: "POP3", pkg: "@madoguchi/pop3", dir: "packages/pop3" },
] as const;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * Starts every protocol whose package exists; the others are reported "not built yet" so the
 * server runs at every stage of the project. A package that fails to load or to bind stops
 * the start: that is a real error, not a missing feature.
 */
export async function startProtocols(deps: ListenerDeps): Promise<ProtocolStatus[]> {
  const statuses: ProtocolStatus[] = [];
  try {
    for (const protocol of PROTOCOLS) {
      const mod = await loadProtocol(protocol.pkg);
      if (!mod) {
        const present = fs.existsSync(path.join(repoRoot, protocol.dir, "package.json"));
        const hint = present ? `${protocol.dir} exists but is not linked; run npm install` : "not built yet";
        statuses.push({ label: protocol.label, state: "not built", hint });
        continue;
      }
      if (typeof mod.startListeners !== "function") {
        const hint = `${protocol.pkg} does not export startListeners(deps) yet; not started`;
        statuses.push({ label: protocol.label, state: "not built", hint });
        continue;
      }
      statuses.push({ label: protocol.label, state: "running", listeners: await mod.startListeners(deps) });
    }
  } catch (err) {
    await stopProtocols(statuses);
    throw err;
  }
  return statuses;
}

export async function stopProtocols(statuses: ProtocolStatus[]): Promise<void> {
  const running = statuses.flatMap((s) => (s.state === "running" ? s.listeners : []));
  await Promise.allSettled(running.map((l) => l.close()));
}

/** The module, or undefined when exactly this package is not installed. */
async function loadProtocol(pkg: string): Promise<Partial<ProtocolModule> | undefined> {
  try {
    // Resolving first separates "package absent" from "package present but broken" (a
    // missing dependency inside it also raises ERR_MODULE_NOT_FOUND, and must not be hidden).
    import.meta.resolve(pkg);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw err;
  }
  return (await import(pkg)) as Partial<ProtocolModule>;
}
