import type { Readable } from "node:stream";

/** A piece of a response: text, raw bytes, or a body streamed from the blob store. */
export type Chunk = string | Buffer | StreamChunk;

export interface StreamChunk {
  length: number;
  open: () => Readable;
}

/** Atom-safe characters: anything but atom-specials (RFC 3501 §9) and "]". */
// biome-ignore lint/suspicious/noControlCharactersInRegex: protocol grammar excludes control characters
const ATOM_RE = /^[^\x00-\x20\x7f-\uffff(){%*"\\\]]+$/;
const QUOTABLE_RE = /^[\x20-\x7e]*$/;
const MAX_QUOTED = 1024;

/** A string as `"quoted"` when it can be, else as a `{n}` literal of its UTF-8 (or given) bytes. */
export function str(value: string | Buffer): Chunk {
  if (typeof value === "string" && value.length <= MAX_QUOTED && QUOTABLE_RE.test(value)) {
    return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  if (bytes.length <= MAX_QUOTED && QUOTABLE_RE.test(bytes.toString("latin1")))
    return str(bytes.toString("latin1"));
  return literal(bytes);
}

export function literal(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`{${bytes.length}}\r\n`), bytes]);
}

export function nstr(value: string | Buffer | null | undefined): Chunk {
  return value === null || value === undefined ? "NIL" : str(value);
}

/** astring for output (mailbox names): an atom when safe, else quoted/literal. */
export function astr(value: string): Chunk {
  return value && ATOM_RE.test(value) && value.toUpperCase() !== "NIL" ? value : str(value);
}

/** Joins chunks, merging adjacent text/bytes so the writer sees few pieces. */
export function join(parts: Chunk[], sep = " "): Chunk[] {
  const out: Chunk[] = [];
  parts.forEach((p, i) => {
    if (i > 0 && sep) out.push(sep);
    out.push(p);
  });
  return out;
}

/** "(" a b c ")" */
export function paren(parts: Chunk[]): Chunk[] {
  return ["(", ...join(parts), ")"];
}

/** Flattens nested chunk arrays and merges consecutive strings/buffers. */
export type Nested = Chunk | Nested[];

export function flatten(parts: Nested[]): Chunk[] {
  const out: Chunk[] = [];
  let text: Buffer[] = [];
  const flushText = () => {
    if (text.length) out.push(text.length === 1 ? (text[0] as Buffer) : Buffer.concat(text));
    text = [];
  };
  const visit = (p: Nested) => {
    if (Array.isArray(p)) {
      for (const q of p) visit(q);
      return;
    }
    if (typeof p === "string") text.push(Buffer.from(p, "utf8"));
    else if (Buffer.isBuffer(p)) text.push(p);
    else {
      flushText();
      out.push(p);
    }
  };
  visit(parts);
  flushText();
  return out;
}

export function chunkLength(c: Chunk): number {
  if (typeof c === "string") return Buffer.byteLength(c);
  if (Buffer.isBuffer(c)) return c.length;
  return c.length;
}
