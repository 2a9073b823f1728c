const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/**
 * Turns raw message bytes into a POP3 multi-line body, chunk by chunk so a large message is
 * never held in memory: every line ending becomes CRLF (bare LF and bare CR included), a
 * line starting with "." gets a second one (RFC 1939 §3 byte-stuffing), and the body is cut
 * after `bodyLines` lines for TOP. The caller writes the final "." line.
 */
export class MessageEncoder {
  /** True once TOP's line limit is reached: the rest of the source need not be read. */
  done = false;
  private atLineStart = true;
  private pendingCR = false;
  private inHeaders = true;
  private bodyLinesSent = 0;

  constructor(private readonly bodyLines?: number) {}

  push(chunk: Uint8Array): Buffer {
    // Worst case every byte doubles (".." or CRLF), plus a CRLF for a CR left from the last chunk.
    const out = Buffer.allocUnsafe(chunk.length * 2 + 2);
    let n = 0;
    for (let i = 0; i < chunk.length && !this.done; i++) {
      const b = chunk[i] as number;
      if (this.pendingCR) {
        this.pendingCR = false;
        n = this.endLine(out, n);
        if (b === LF || this.done) continue;
      }
      if (b === CR) {
        this.pendingCR = true;
      } else if (b === LF) {
        n = this.endLine(out, n);
      } else {
        if (this.atLineStart && b === DOT) out[n++] = DOT;
        out[n++] = b;
        this.atLineStart = false;
      }
    }
    return out.subarray(0, n);
  }

  /** Bytes still owed after the last chunk: the end of an unterminated last line. */
  end(): Buffer {
    if (this.done) return Buffer.alloc(0);
    if (this.pendingCR || !this.atLineStart) {
      this.pendingCR = false;
      this.atLineStart = true;
      return Buffer.from("\r\n");
    }
    return Buffer.alloc(0);
  }

  private endLine(out: Buffer, n: number): number {
    out[n++] = CR;
    out[n++] = LF;
    if (this.inHeaders) {
      // The empty line ends the header; TOP 0 stops right after it.
      if (this.atLineStart) {
        this.inHeaders = false;
        if (this.bodyLines === 0) this.done = true;
      }
    } else if (this.bodyLines !== undefined && ++this.bodyLinesSent >= this.bodyLines) {
      this.done = true;
    }
    this.atLineStart = true;
    return n;
  }
}
