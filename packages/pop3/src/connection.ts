import type net from "node:net";
import tls from "node:tls";
import { MAX_LINE_LENGTH, MAX_QUEUED_LINES } from "./limits";

export const LINE_TOO_LONG = Symbol("line too long");
export type NextLine = string | null | typeof LINE_TOO_LONG;

/**
 * A socket seen as CRLF-terminated command lines in, bytes out, with backpressure both ways:
 * reading stops while MAX_QUEUED_LINES pipelined lines wait, and writes wait for "drain".
 * It can swap its plain socket for TLS in place (STLS).
 */
export class LineConnection {
  secure: boolean;
  /** The socket is gone: nothing more can be written. */
  closed = false;
  /** The peer sent FIN (or the socket is gone): no more lines will come. */
  private ended = false;
  private socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly lines: NextLine[] = [];
  private waiter: ((line: NextLine) => void) | undefined;

  constructor(
    socket: net.Socket,
    secure: boolean,
    private readonly idleTimeoutMs: number,
    private readonly onIdle: () => void,
  ) {
    this.socket = socket;
    this.secure = secure;
    this.attach(socket);
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress ?? "unknown";
  }

  /** The next command line (without CRLF), LINE_TOO_LONG, or null once the peer is gone. */
  nextLine(): Promise<NextLine> {
    const line = this.lines.shift();
    if (line !== undefined) {
      if (this.lines.length < MAX_QUEUED_LINES && this.socket.isPaused()) this.socket.resume();
      return Promise.resolve(line);
    }
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (this.closed || this.socket.destroyed) return;
    if (this.socket.write(data)) return;
    const socket = this.socket;
    await new Promise<void>((resolve) => {
      const done = () => {
        socket.off("drain", done);
        socket.off("close", done);
        resolve();
      };
      socket.on("drain", done);
      socket.on("close", done);
    });
  }

  /**
   * Answers STLS and starts the TLS handshake on the same TCP connection. Anything the client
   * pipelined after STLS is thrown away (plaintext injection, CVE-2011-0411). The reply and
   * the switch happen in one tick so the ClientHello reaches the TLS layer, not the line reader.
   */
  async startTls(reply: string, context: tls.SecureContext): Promise<boolean> {
    const plain = this.socket;
    this.detach(plain);
    this.buffer = Buffer.alloc(0);
    this.lines.length = 0;
    plain.on("error", () => {});
    plain.write(reply);
    const secure = new tls.TLSSocket(plain, { isServer: true, secureContext: context });
    this.socket = secure;
    this.attach(secure);
    const ok = await new Promise<boolean>((resolve) => {
      secure.once("secure", () => resolve(true));
      secure.once("close", () => resolve(false));
    });
    if (ok) this.secure = true;
    return ok;
  }

  end(): void {
    if (this.socket.destroyed) return;
    this.socket.end();
    // A peer that never reads must not keep the socket half-open forever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer) => {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (let lf = this.buffer.indexOf(0x0a); lf >= 0; lf = this.buffer.indexOf(0x0a)) {
      const end = lf > 0 && this.buffer[lf - 1] === 0x0d ? lf - 1 : lf;
      this.push(end > MAX_LINE_LENGTH ? LINE_TOO_LONG : this.buffer.subarray(0, end).toString("utf8"));
      this.buffer = this.buffer.subarray(lf + 1);
    }
    if (this.buffer.length > MAX_LINE_LENGTH) {
      this.buffer = Buffer.alloc(0);
      this.push(LINE_TOO_LONG);
    }
    if (this.lines.length >= MAX_QUEUED_LINES) this.socket.pause();
  };

  // A client may pipeline "QUIT" and half-close; its replies are still written (allowHalfOpen).
  private readonly onEnd = () => {
    if (this.ended) return;
    this.ended = true;
    this.push(null);
  };

  private readonly onClose = () => {
    this.closed = true;
    this.onEnd();
  };

  private readonly onError = () => {
    // A reset or TLS failure ends this session only; "close" follows and cleans up.
  };

  private readonly onTimeout = () => this.onIdle();

  private push(line: NextLine): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(line);
    } else {
      this.lines.push(line);
    }
  }

  private attach(socket: net.Socket): void {
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onClose);
    socket.on("error", this.onError);
    socket.on("timeout", this.onTimeout);
    socket.setTimeout(this.idleTimeoutMs);
  }

  private detach(socket: net.Socket): void {
    socket.off("data", this.onData);
    socket.off("end", this.onEnd);
    socket.off("close", this.onClose);
    socket.off("error", this.onError);
    socket.off("timeout", this.onTimeout);
    socket.setTimeout(0);
  }
}
