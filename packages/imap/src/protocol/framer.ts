import { MAX_COMMAND_BYTES, MAX_LINE_BYTES } from "./limits";

/**
 * One complete command as received: its lines (CRLF stripped) and the literals between them.
 * lines.length === literals.length + 1; every line but the last ends with `{n}` or `{n+}`.
 */
export interface Frame {
  lines: Buffer[];
  literals: Buffer[];
}

export type FramerEvent =
  | { kind: "frame"; frame: Frame }
  /** A line or command was over the limits; its bytes were discarded. */
  | { kind: "tooBig"; tag: string | null; what: "line" | "literal" };

export interface FramerOptions {
  maxLineBytes?: number;
  maxLiteralBytes: number;
  maxCommandBytes?: number;
  /** Called for a synchronizing literal we accept: the server must answer "+ …" before the client sends it. */
  onContinue: () => void;
  onEvent: (event: FramerEvent) => void;
}

const LITERAL_RE = /\{(\d{1,12})(\+)?\}$/;

/**
 * Cuts the byte stream into commands: lines, and literals announced by `{n}` (synchronizing:
 * we send a continuation) or `{n+}` (LITERAL+). Memory stays bounded: an over-long line or an
 * oversized literal is skipped without being buffered and reported as `tooBig` once the
 * command ends.
 */
export class CommandFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lines: Buffer[] = [];
  private literals: Buffer[] = [];
  private commandBytes = 0;
  /** Bytes of literal still expected (collecting or discarding). */
  private literalLeft = 0;
  private literalChunks: Buffer[] = [];
  /** Set while the rest of a command is being thrown away. */
  private discarding: { tag: string | null; what: "line" | "literal" } | null = null;
  private discardingLine = false;
  private readonly maxLine: number;
  private readonly maxCommand: number;

  constructor(private readonly options: FramerOptions) {
    this.maxLine = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.maxCommand = options.maxCommandBytes ?? MAX_COMMAND_BYTES;
  }

  /** Forgets everything buffered (STARTTLS: nothing sent in clear text may survive the upgrade). */
  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.lines = [];
    this.literals = [];
    this.commandBytes = 0;
    this.literalLeft = 0;
    this.literalChunks = [];
    this.discarding = null;
    this.discardingLine = false;
  }

  push(chunk: Buffer): void {
    let data = chunk;
    while (data.length) {
      if (this.literalLeft > 0) {
        const take = Math.min(this.literalLeft, data.length);
        if (!this.discarding) this.literalChunks.push(data.subarray(0, take));
        this.literalLeft -= take;
        data = data.subarray(take);
        if (this.literalLeft === 0 && !this.discarding) {
          this.literals.push(Buffer.concat(this.literalChunks));
          this.literalChunks = [];
        }
        continue;
      }
      const nl = data.indexOf(0x0a);
      if (nl < 0) {
        this.bufferPartialLine(data);
        return;
      }
      const part = data.subarray(0, nl);
      data = data.subarray(nl + 1);
      if (!this.discardingLine && this.pendingBytes + part.length > this.maxLine) {
        const head = this.pendingBytes ? Buffer.concat([...this.pending, part.subarray(0, 64)]) : part;
        this.discarding ??= { tag: this.lines.length ? tagOf(this.lines[0]) : tagOf(head), what: "line" };
        this.discardingLine = true;
      }
      if (this.discardingLine) {
        this.discardingLine = false;
        this.pending = [];
        this.pendingBytes = 0;
        this.endLine(Buffer.alloc(0), true);
        continue;
      }
      let line = this.pendingBytes ? Buffer.concat([...this.pending, part]) : part;
      this.pending = [];
      this.pendingBytes = 0;
      if (line.length && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      this.endLine(line, false);
    }
  }

  private bufferPartialLine(data: Buffer): void {
    if (this.discardingLine) return;
    if (this.pendingBytes + data.length > this.maxLine) {
      const head = Buffer.concat([...this.pending, data]).subarray(0, 64);
      this.discarding ??= { tag: this.lines.length ? tagOf(this.lines[0]) : tagOf(head), what: "line" };
      this.discardingLine = true;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    // Copy: the socket may reuse its buffer.
    this.pending.push(Buffer.from(data));
    this.pendingBytes += data.length;
  }

  private endLine(line: Buffer, overLong: boolean): void {
    const tail = overLong ? null : line.subarray(Math.max(0, line.length - 16)).toString("latin1");
    const m = tail ? LITERAL_RE.exec(tail) : null;
    if (!this.discarding) {
      this.lines.push(line);
      this.commandBytes += line.length;
    }
    if (!m) {
      this.finishCommand();
      return;
    }
    const size = Number(m[1]);
    const sync = m[2] === undefined;
    if (
      !this.discarding &&
      (size > this.options.maxLiteralBytes || this.commandBytes + size > this.maxCommand)
    ) {
      this.discarding = { tag: tagOf(this.lines[0] ?? line), what: "literal" };
      if (sync) {
        // The client waits for our "+" and will not send the literal: the command ends here.
        this.finishCommand();
        return;
      }
    }
    if (this.discarding && sync) {
      // A later synchronizing literal of a command being discarded is never sent either.
      this.finishCommand();
      return;
    }
    this.literalLeft = size;
    this.commandBytes += size;
    if (!this.discarding && sync) this.options.onContinue();
    if (size === 0 && !this.discarding) this.literals.push(Buffer.alloc(0));
  }

  private finishCommand(): void {
    const discarded = this.discarding;
    const frame = { lines: this.lines, literals: this.literals };
    this.lines = [];
    this.literals = [];
    this.commandBytes = 0;
    this.discarding = null;
    if (discarded) this.options.onEvent({ kind: "tooBig", tag: discarded.tag, what: discarded.what });
    else this.options.onEvent({ kind: "frame", frame });
  }
}

/** The tag of a command line, when it has a plausible one. */
export function tagOf(line: Buffer | undefined): string | null {
  if (!line) return null;
  const m = /^([\x21-\x7e]{1,64}?)[ \r\n]/.exec(`${line.subarray(0, 80).toString("latin1")} `);
  const tag = m?.[1];
  return tag && isValidTag(tag) ? tag : null;
}

/** tag = 1*<any ASTRING-CHAR except "+"> */
export function isValidTag(tag: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: protocol grammar excludes control characters
  return /^[^\x00-\x20\x7f-\xff(){%*"\\+]+$/.test(tag);
}
