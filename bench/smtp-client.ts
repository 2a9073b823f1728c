// A load generator's SMTP session over node:net, not a mail client: it pipelines
// MAIL/RCPT/DATA (the server advertises PIPELINING, as Postfix uses it) and times the one thing
// nodemailer does not expose: from the end of DATA to the server's final reply.
import net from "node:net";

export interface SmtpReply {
  code: number;
  text: string;
}

/** Time for any single reply before the session is declared dead. */
const REPLY_TIMEOUT_MS = 30_000;

export class SmtpLoadSession {
  private buffer = "";
  private lines: string[] = [];
  private replies: SmtpReply[] = [];
  private waiters: { resolve(r: SmtpReply): void; reject(e: Error): void }[] = [];
  private failure: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk.toString("latin1")));
    socket.on("error", (err) => this.fail(err));
    socket.on("close", () => this.fail(new Error("connection closed by the server")));
  }

  /** Connects, reads the greeting and says EHLO. */
  static async open(port: number, helo = "load.customer.example"): Promise<SmtpLoadSession> {
    const socket = net.connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const session = new SmtpLoadSession(socket);
    expectCode(await session.reply(), 220);
    socket.write(`EHLO ${helo}\r\n`);
    expectCode(await session.reply(), 250);
    return session;
  }

  /**
   * Sends one message (already CRLF-terminated) and resolves with the milliseconds from the
   * final "." to the 250; any other answer rejects with the server's text.
   */
  async send(from: string, to: string, message: Buffer): Promise<number> {
    this.socket.write(`MAIL FROM:<${from}>\r\nRCPT TO:<${to}>\r\nDATA\r\n`);
    expectCode(await this.reply(), 250);
    expectCode(await this.reply(), 250);
    expectCode(await this.reply(), 354);
    this.socket.write(dotStuff(message));
    this.socket.write(".\r\n");
    const t0 = performance.now();
    expectCode(await this.reply(), 250);
    return performance.now() - t0;
  }

  async quit(): Promise<void> {
    if (this.failure) return;
    this.socket.write("QUIT\r\n");
    await this.reply().catch(() => undefined);
    this.socket.end();
  }

  private reply(): Promise<SmtpReply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error("no reply within 30 s")), REPLY_TIMEOUT_MS);
      this.waiters.push({
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  private onData(text: string): void {
    this.buffer += text;
    let end = this.buffer.indexOf("\r\n");
    while (end >= 0) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.lines.push(line);
      // "250-…" continues a multi-line reply, "250 …" ends it.
      if (line[3] !== "-") {
        const reply = { code: Number(line.slice(0, 3)), text: this.lines.join("\n") };
        this.lines = [];
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve(reply);
        else this.replies.push(reply);
      }
      end = this.buffer.indexOf("\r\n");
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
    this.socket.destroy();
  }
}

function expectCode(reply: SmtpReply, code: number): void {
  if (reply.code !== code) throw new Error(`expected ${code}, got: ${reply.text}`);
}

/** RFC 5321 §4.5.2: a line starting with "." gets another one. */
function dotStuff(message: Buffer): Buffer {
  const text = message.toString("latin1");
  const stuffed = (text.startsWith(".") ? `.${text}` : text).replace(/\r\n\./g, "\r\n..");
  return Buffer.from(stuffed.endsWith("\r\n") ? stuffed : `${stuffed}\r\n`, "latin1");
}
