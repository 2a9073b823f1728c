import path from "node:path";
import type { CoreContext } from "@madoguchi/core";
import { loadOrCreateTls } from "@madoguchi/tls";
import { createImapServer } from "./server";
import type { InboxFeed } from "./session/feed";

/** What apps/server hands every protocol package (see apps/server/src/listeners.ts). */
export interface ListenerDeps {
  ctx: CoreContext;
  config: {
    bind: string;
    hostname: string;
    dataDir?: string;
    ports: { imap: number; imaps: number };
  };
  tls?: { key: string; cert: string };
  feed?: InboxFeed;
}

export interface RunningListener {
  name: string;
  address: string;
  close(): Promise<void>;
}

/** Starts IMAP with STARTTLS (IMAP_PORT) and IMAP over implicit TLS (IMAPS_PORT). */
export async function startListeners(deps: ListenerDeps): Promise<RunningListener[]> {
  const material =
    deps.tls ??
    (await loadOrCreateTls({
      dir: path.join(deps.config.dataDir ?? "./data", "tls"),
      hostname: deps.config.hostname,
    }));
  const tls = { key: material.key, cert: material.cert };
  const common = { ctx: deps.ctx, tls, feed: deps.feed, hostname: deps.config.hostname };
  const plain = createImapServer(common);
  const implicit = createImapServer({ ...common, implicitTls: true });
  const listeners: RunningListener[] = [];
  try {
    const a = await plain.listen(deps.config.ports.imap, deps.config.bind);
    listeners.push({ name: "STARTTLS", address: a.address, close: () => plain.close() });
    const b = await implicit.listen(deps.config.ports.imaps, deps.config.bind);
    listeners.push({ name: "TLS", address: b.address, close: () => implicit.close() });
  } catch (err) {
    await Promise.allSettled(listeners.map((l) => l.close()));
    throw err;
  }
  return listeners;
}
