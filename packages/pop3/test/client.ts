import net from "node:net";
import tls from "node:tls";

/**
 * A raw POP3 client for transcript tests: sends exact lines, reads exact replies. Reads time
 * out so a server that stays silent fails the test instead of hanging it.
 */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(private socket: net.Socket) {
    this.attach(socket);
  }

  static async connect(port: number, options: { tls?: { ca: string } } = {}): Promise<RawClient> {
    const socket = options.tls
      ? tls.connect({ host: "127.0.0.1", port, ca: options.tls.ca, servername: "localhost" })
      : net.connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    });
    return new RawClient(socket);
  }

  get encrypted(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Sends a command and returns its first reply line. */
  async command(line: string): Promise<string> {
    this.send(line);
    return this.line();
  }

  /** Sends a command and returns the status line and the un-stuffed lines of a multi-line reply. */
  async multi(line: string): Promise<{ status: string; lines: string[] }> {
    this.send(line);
    const status = await this.line();
    if (!status.startsWith("+OK")) return { status, lines: [] };
    return { status, lines: await this.body() };
  }

  /** Lines of a multi-line body up to the "." terminator, dot-unstuffed. */
  async body(): Promise<string[]> {
    const lines: string[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      const l = await this.line();
      if (l === ".") return lines;
      lines.push(l.startsWith(".") ? l.slice(1) : l);
    }
    throw new Error("multi-line reply without end");
  }

  /** Raw bytes of a multi-line body up to (not including) CRLF.CRLF, still stuffed. */
  async rawBody(): Promise<Buffer> {
    const end = Buffer.from("\r\n.\r\n");
    for (;;) {
      const at = this.buffer.indexOf(end);
      if (at >= 0) {
        const body = this.buffer.subarray(0, at + 2);
        this.buffer = this.buffer.subarray(at + end.length);
        return body;
      }
      if (this.buffer.equals(Buffer.from(".\r\n"))) {
        this.buffer = Buffer.alloc(0);
        return Buffer.alloc(0);
      }
      await this.more();
    }
  }

  async line(timeoutMs = 10_000): Promise<string> {
    for (;;) {
      const lf = this.buffer.indexOf("\r\n");
      if (lf >= 0) {
        const line = this.buffer.subarray(0, lf).toString("utf8");
        this.buffer = this.buffer.subarray(lf + 2);
        return line;
      }
      await this.more(timeoutMs);
    }
  }

  /** Resolves when the server has closed the connection (after any last reply). */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    while (!this.closed) await this.more(timeoutMs);
  }

  /** Upgrades after a "+OK" to STLS, trusting the test certificate. */
  async startTls(ca: string): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners("data");
    const secure = tls.connect({ socket: plain, ca, servername: "localhost" });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => resolve());
      secure.once("error", reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  close(): void {
    this.socket.destroy();
  }

  private attach(socket: net.Socket): void {
    socket.on("data", (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private more(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`connection closed; unread: ${this.buffer}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
