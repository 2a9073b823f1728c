import net from "node:net";
import tls from "node:tls";
import type { CoreContext } from "@madoguchi/core";
import { LineConnection } from "./connection";
import { IDLE_TIMEOUT_MS, MAX_CONNECTIONS } from "./limits";
import { MaildropLocks } from "./locks";
import { err, formatReply } from "./replies";
import { Pop3Session } from "./session";
import { coreStore, type Pop3Store } from "./store";

export interface Pop3ServerOptions {
  ctx: CoreContext;
  /** Name in the greeting. */
  hostname: string;
  /** Key and certificate: needed for STLS on the plain port and for implicit TLS. */
  tls?: { key: string; cert: string };
  /** POP3S (port 995 style): TLS from the first byte. */
  implicitTls?: boolean;
  /** Shared between the plain and the TLS listener so one maildrop is locked across both. */
  locks?: MaildropLocks;
  /** Replaces the store built over ctx (tests inject failures with it). */
  store?: Pop3Store;
  idleTimeoutMs?: number;
  onError?: (error: unknown) => void;
}

export interface Pop3Server {
  listen(port: number, host: string): Promise<{ host: string; port: number }>;
  /** Stops accepting and ends every open session (pending DELEs are not applied, as on a dropped connection). */
  close(): Promise<void>;
}

export function createPop3Server(options: Pop3ServerOptions): Pop3Server {
  if (options.implicitTls && !options.tls) throw new Error("POP3S needs a key and certificate");
  const tlsContext = options.tls ? tls.createSecureContext(options.tls) : undefined;
  const sessionOptions = {
    store: options.store ?? coreStore(options.ctx),
    hostname: options.hostname,
    tlsContext,
    locks: options.locks ?? new MaildropLocks(),
    onError: options.onError ?? ((error: unknown) => console.error("pop3:", error)),
  };
  const sockets = new Set<net.Socket>();
  const idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;

  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    if (sockets.size > MAX_CONNECTIONS) {
      socket.end(formatReply(err("too many connections, try again later", "SYS/TEMP")));
      return;
    }
    const conn = new LineConnection(socket, Boolean(options.implicitTls), idleTimeoutMs, () => {
      void conn.write(formatReply(err("idle for too long, closing connection"))).then(() => conn.end());
    });
    void new Pop3Session(conn, { ...sessionOptions, tlsContext: conn.secure ? undefined : tlsContext }).run();
  };

  // allowHalfOpen: a client that pipelines QUIT and shuts its side still gets the replies.
  const server = options.implicitTls
    ? tls.createServer({ ...options.tls, allowHalfOpen: true }, onConnection)
    : net.createServer({ allowHalfOpen: true }, onConnection);
  // A failed handshake concerns that client only.
  server.on("tlsClientError", () => {});

  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address() as net.AddressInfo;
          resolve({ host: address.address, port: address.port });
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
