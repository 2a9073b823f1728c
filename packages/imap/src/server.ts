import net from "node:net";
import tls from "node:tls";
import type { AuthThrottle, CoreContext } from "@madoguchi/core";
import { type StructureCache, sharedStructureCache } from "./mime/cache";
import type { ServerShared } from "./session/context";
import { type InboxFeed, PollingFeed } from "./session/feed";
import { ImapSession } from "./session/session";

export interface ImapServerOptions {
  ctx: CoreContext;
  /** Key and certificate for STARTTLS and implicit TLS. */
  tls?: { key: string; cert: string };
  /** Implicit TLS (port 993 style) instead of STARTTLS. */
  implicitTls?: boolean;
  /** core's ChangeFeed; without it a PollingFeed reads the change-log counters. */
  feed?: InboxFeed;
  hostname?: string;
  /** Tests/bench only: allow LOGIN without TLS. */
  allowInsecureAuth?: boolean;
  throttle?: AuthThrottle;
  cache?: StructureCache;
  log?: (message: string, err?: unknown) => void;
}

export interface ImapServer {
  listen(port: number, host: string): Promise<{ port: number; address: string }>;
  readonly sessions: ReadonlySet<ImapSession>;
  close(): Promise<void>;
}

export function createImapServer(options: ImapServerOptions): ImapServer {
  const secureContext = options.tls
    ? tls.createSecureContext({ key: options.tls.key, cert: options.tls.cert })
    : null;
  if (options.implicitTls && !secureContext) throw new Error("Implicit TLS needs a key and certificate");
  const polling = options.feed ? null : new PollingFeed(options.ctx);
  const shared: ServerShared = {
    ctx: options.ctx,
    feed: options.feed ?? (polling as PollingFeed),
    cache: options.cache ?? sharedStructureCache,
    secureContext,
    hostname: options.hostname ?? "localhost",
    allowInsecureAuth: options.allowInsecureAuth ?? false,
    throttle: options.throttle,
    log: options.log ?? ((message, err) => console.error(message, err)),
  };
  const sessions = new Set<ImapSession>();
  const start = (socket: net.Socket | tls.TLSSocket, secure: boolean) => {
    socket.setNoDelay(true);
    const session = new ImapSession(socket, shared, { secure });
    sessions.add(session);
    socket.on("close", () => sessions.delete(session));
    void session.greet();
  };
  const server = options.implicitTls
    ? tls.createServer({ key: options.tls?.key, cert: options.tls?.cert }, (socket) => start(socket, true))
    : net.createServer((socket) => start(socket, false));
  server.on("tlsClientError", () => {});
  return {
    sessions,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const addr = server.address() as net.AddressInfo;
          resolve({ port: addr.port, address: `${host}:${addr.port}` });
        });
      });
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...sessions].map((s) => s.shutdown()));
      polling?.close();
      await closed;
    },
  };
}
