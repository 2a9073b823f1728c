import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from "smtp-server";
import type { InboundLimits } from "./limits";
import { smtpReply } from "./replies";

/** Options smtp-server 3.21 understands but @types/smtp-server does not list yet. */
type FullOptions = SMTPServerOptions & { maxRecipients?: number };

const EXPLICIT_CODE = /^[245]\.\d{1,3}\.\d{1,3} /;

interface Connection {
  send(code: number, data?: string | string[], context?: string | false): void;
}

/**
 * smtp-server derives the enhanced status code from the basic one (550 → 5.1.1), which is
 * wrong for "550 5.7.1 relaying denied". Our replies carry their own code at the start of the
 * text (see smtpReply); for those, the derived code is suppressed on this server's connections.
 */
function sendExplicitCodes(server: SMTPServer): void {
  const target = server as unknown as {
    connect(socket: unknown, options: unknown): void;
    connections: Set<Connection>;
  };
  const connect = target.connect.bind(server);
  target.connect = (socket, options) => {
    connect(socket, options);
    const connection = [...target.connections].at(-1);
    if (!connection) return;
    const send = connection.send.bind(connection);
    connection.send = (code, data, context) =>
      send(code, data, typeof data === "string" && EXPLICIT_CODE.test(data) ? false : context);
  };
}

/** Per-IP connection counts and message rate, shared by the listeners of one process. */
export class PeerLimits {
  private readonly open = new Map<string, number>();
  private readonly sessions = new Set<string>();
  private readonly messages = new Map<string, number[]>();
  /** Bound on remembered addresses, so a spray of sources cannot exhaust memory. */
  private static readonly MAX_TRACKED = 100_000;

  constructor(private readonly limits: InboundLimits) {}

  /** Counts the session in; an Error (421) when the address already has too many. */
  admit(session: SMTPServerSession): Error | null {
    const ip = session.remoteAddress;
    const count = this.open.get(ip) ?? 0;
    if (count >= this.limits.maxConnectionsPerIp)
      return smtpReply(421, "4.7.0", "Too many connections from your address, try again later");
    this.open.set(ip, count + 1);
    this.sessions.add(session.id);
    return null;
  }

  release(session: SMTPServerSession): void {
    if (!this.sessions.delete(session.id)) return;
    const ip = session.remoteAddress;
    const count = (this.open.get(ip) ?? 1) - 1;
    if (count > 0) this.open.set(ip, count);
    else this.open.delete(ip);
  }

  /** Records one message from the address; false when it is over the per-minute rate. */
  allowMessage(ip: string, now = Date.now()): boolean {
    const recent = (this.messages.get(ip) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= this.limits.maxMessagesPerIpPerMinute) return false;
    recent.push(now);
    this.messages.delete(ip);
    this.messages.set(ip, recent);
    if (this.messages.size > PeerLimits.MAX_TRACKED) {
      const oldest = this.messages.keys().next().value;
      if (oldest !== undefined) this.messages.delete(oldest);
    }
    return true;
  }
}

/** Counts refused commands per session; past the limit the session is closed with 421. */
export class BadCommands {
  private readonly counts = new Map<string, number>();
  constructor(private readonly max: number) {}

  /** The refusal to send: `reply` itself, or 421 once the session has had too many. */
  refuse(session: SMTPServerSession, reply: Error): Error {
    const n = (this.counts.get(session.id) ?? 0) + 1;
    this.counts.set(session.id, n);
    if (n >= this.max) return smtpReply(421, "4.7.0", "Too many errors in this session, closing");
    return reply;
  }

  forget(session: SMTPServerSession): void {
    this.counts.delete(session.id);
  }
}

export function createServer(options: FullOptions): SMTPServer {
  const server = new SMTPServer({
    hideENHANCEDSTATUSCODES: false,
    disableReverseLookup: true,
    logger: false,
    ...options,
  } as SMTPServerOptions);
  sendExplicitCodes(server);
  // Socket errors (a client resetting the connection) are the client's problem, never a crash.
  server.on("error", () => {});
  return server;
}

export interface BoundServer {
  address: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(server: SMTPServer, host: string, port: number): Promise<BoundServer> {
  await new Promise<void>((resolve, reject) => {
    const net = server.server;
    const onError = (err: Error) => reject(err);
    net.once("error", onError);
    server.listen(port, host, () => {
      net.off("error", onError);
      resolve();
    });
  });
  const bound = server.server.address() as AddressInfo;
  const shown = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  return {
    address: `${shown}:${bound.port}`,
    port: bound.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
