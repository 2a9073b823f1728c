import type { Chunk } from "../protocol/encode";
import { findHeaderEnd, type HeaderField, headerValue, parseHeaderFields, parseParams } from "./header";

/**
 * One MIME entity of a stored message, by byte offsets into the raw blob. A message (the top
 * level, or the payload of a message/rfc822 part) is an entity whose header is the message
 * header. Offsets make BODY[section] a byte range read, with no re-parse.
 */
export interface MimeNode {
  start: number;
  /** End of the header block (start of the blank line). */
  headerEnd: number;
  bodyStart: number;
  /** End of the body (exclusive): before the CRLF that precedes the next boundary. */
  end: number;
  type: string;
  subtype: string;
  params: [string, string][];
  id: string | null;
  description: string | null;
  encoding: string;
  md5: string | null;
  disposition: { value: string; params: [string, string][] } | null;
  language: string | null;
  location: string | null;
  /** Lines of the body (text/* and message/rfc822 report it). */
  lines: number;
  children: MimeNode[];
  /** message/rfc822: the embedded message. */
  message: MimeNode | null;
  /** Header fields of a message-level entity (top level or embedded), for ENVELOPE. */
  fields: HeaderField[] | null;
}

const MAX_DEPTH = 24;
const MAX_PARTS = 2_000;

export interface MimeTree {
  root: MimeNode;
  size: number;
  /** Number of entities, for the cache's weight. */
  parts: number;
  /** ENVELOPE / BODYSTRUCTURE / BODY as rendered once, reused by every later FETCH. */
  rendered?: { envelope?: Chunk[]; bodystructure?: Chunk[]; body?: Chunk[] };
}

export function indexMime(buf: Buffer): MimeTree {
  const counter = { parts: 0 };
  const root = parseEntity(buf, 0, buf.length, true, "text/plain", 0, counter);
  return { root, size: buf.length, parts: counter.parts };
}

function parseEntity(
  buf: Buffer,
  start: number,
  end: number,
  isMessage: boolean,
  defaultType: string,
  depth: number,
  counter: { parts: number },
): MimeNode {
  counter.parts++;
  const { headerEnd, bodyStart } = findHeaderEnd(buf, start, end);
  const fields = parseHeaderFields(buf, start, headerEnd);
  const ct = headerValue(fields, "content-type");
  const parsed = ct ? parseParams(ct) : null;
  let [type, subtype] = (parsed?.value || defaultType)
    .toLowerCase()
    .split("/")
    .map((s) => s.trim());
  if (!type || !subtype) [type, subtype] = defaultType.split("/");
  const disp = headerValue(fields, "content-disposition");
  const dispParsed = disp ? parseParams(disp) : null;
  const node: MimeNode = {
    start,
    headerEnd,
    bodyStart,
    end,
    type: type as string,
    subtype: subtype as string,
    params: parsed ? parsed.params : type === "text" ? [["charset", "us-ascii"]] : [],
    id: headerValue(fields, "content-id"),
    description: headerValue(fields, "content-description"),
    encoding: (headerValue(fields, "content-transfer-encoding") ?? "7bit").toLowerCase(),
    md5: headerValue(fields, "content-md5"),
    disposition: dispParsed?.value
      ? { value: dispParsed.value.toLowerCase(), params: dispParsed.params }
      : null,
    language: headerValue(fields, "content-language"),
    location: headerValue(fields, "content-location"),
    lines: 0,
    children: [],
    message: null,
    fields: isMessage ? fields : null,
  };
  if (node.params.length === 0 && type === "text" && !parsed?.params.length)
    node.params = [["charset", "us-ascii"]];
  const boundary = node.params.find(([k]) => k === "boundary")?.[1];
  if (node.type === "multipart" && boundary && depth < MAX_DEPTH) {
    const childDefault = node.subtype === "digest" ? "message/rfc822" : "text/plain";
    for (const [s, e] of splitParts(buf, bodyStart, end, boundary)) {
      if (counter.parts >= MAX_PARTS) break;
      node.children.push(parseEntity(buf, s, e, false, childDefault, depth + 1, counter));
    }
    if (!node.children.length) {
      // A multipart without any part is not valid IMAP; show it as one empty text part.
      node.children.push(emptyPart(end));
    }
  } else if (node.type === "multipart") {
    node.children.push(emptyPart(end));
  }
  // Parsed even when (wrongly) transfer-encoded: BODYSTRUCTURE must carry an envelope for it.
  const embedded = node.type === "message" && (node.subtype === "rfc822" || node.subtype === "global");
  if (embedded && depth < MAX_DEPTH) {
    node.message = parseEntity(buf, bodyStart, end, true, "text/plain", depth + 1, counter);
  }
  node.lines = countLines(buf, bodyStart, end);
  return node;
}

function emptyPart(at: number): MimeNode {
  return {
    start: at,
    headerEnd: at,
    bodyStart: at,
    end: at,
    type: "text",
    subtype: "plain",
    params: [["charset", "us-ascii"]],
    id: null,
    description: null,
    encoding: "7bit",
    md5: null,
    disposition: null,
    language: null,
    location: null,
    lines: 0,
    children: [],
    message: null,
    fields: null,
  };
}

/**
 * The body parts of a multipart body as [start, end) ranges. A delimiter is "--boundary" at
 * the start of a line; the line break before it belongs to the delimiter (RFC 2046 §5.1.1).
 */
export function splitParts(buf: Buffer, start: number, end: number, boundary: string): [number, number][] {
  const delim = Buffer.from(`--${boundary}`, "latin1");
  const parts: [number, number][] = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const at = buf.indexOf(delim, pos);
    if (at < 0 || at + delim.length > end) break;
    pos = at + delim.length;
    if (at !== start && buf[at - 1] !== 0x0a) continue;
    const closing = buf[at + delim.length] === 0x2d && buf[at + delim.length + 1] === 0x2d;
    // The rest of the delimiter line must be blank (transport padding) unless it is the close.
    let lineEnd = buf.indexOf(0x0a, at + delim.length);
    if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
    if (!closing) {
      const rest = buf.subarray(at + delim.length, lineEnd).toString("latin1");
      if (!/^[ \t\r]*$/.test(rest)) continue;
    }
    if (partStart >= 0) {
      let partEnd = at;
      if (partEnd > partStart && buf[partEnd - 1] === 0x0a) partEnd--;
      if (partEnd > partStart && buf[partEnd - 1] === 0x0d) partEnd--;
      parts.push([partStart, Math.max(partStart, partEnd)]);
    }
    if (closing) return parts;
    partStart = Math.min(lineEnd + 1, end);
    pos = partStart;
  }
  if (partStart >= 0) parts.push([partStart, end]);
  return parts;
}

function countLines(buf: Buffer, start: number, end: number): number {
  if (end <= start) return 0;
  let n = 0;
  let pos = start;
  for (;;) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0 || nl >= end) break;
    n++;
    pos = nl + 1;
  }
  return buf[end - 1] === 0x0a ? n : n + 1;
}
