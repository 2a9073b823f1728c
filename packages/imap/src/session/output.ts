import { once } from "node:events";
import type { Duplex } from "node:stream";
import { type Chunk, flatten, type Nested } from "../protocol/encode";

const FLUSH_AT = 32 * 1024;

/**
 * Writes responses to the socket with backpressure: small pieces are gathered into one write,
 * a full socket buffer makes the writer wait for "drain", and streamed bodies are piped chunk
 * by chunk, so a FETCH of a large mailbox or a 50 MB body never sits in memory.
 */
export class Output {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  closed = false;

  constructor(private socketOf: () => Duplex) {}

  /** One response line: the pieces are joined as given, CRLF appended. */
  async line(parts: Nested[]): Promise<void> {
    for (const c of flatten([...parts, "\r\n"])) await this.chunk(c);
  }

  private async chunk(c: Chunk): Promise<void> {
    if (typeof c === "string" || Buffer.isBuffer(c)) {
      const buf = typeof c === "string" ? Buffer.from(c, "utf8") : c;
      this.pending.push(buf);
      this.pendingBytes += buf.length;
      if (this.pendingBytes >= FLUSH_AT) await this.flush();
      return;
    }
    await this.flush();
    let sent = 0;
    const stream = c.open();
    try {
      for await (const data of stream) {
        const buf = data as Buffer;
        const room = c.length - sent;
        const piece = buf.length > room ? buf.subarray(0, room) : buf;
        sent += piece.length;
        await this.raw(piece);
        if (sent >= c.length) break;
      }
    } finally {
      stream.destroy();
    }
    // The literal length was announced: a blob shorter than expected is padded, never left short.
    if (sent < c.length) await this.raw(Buffer.alloc(c.length - sent, 0x20));
  }

  async flush(): Promise<void> {
    if (!this.pendingBytes) return;
    const buf = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    await this.raw(buf);
  }

  private async raw(buf: Buffer): Promise<void> {
    if (this.closed) return;
    const socket = this.socketOf();
    if (socket.destroyed) {
      this.closed = true;
      return;
    }
    if (!socket.write(buf)) {
      await Promise.race([once(socket, "drain"), once(socket, "close")]);
    }
  }
}
