import type { Frame } from "./framer";

export type Token =
  | { type: "atom"; value: string }
  | { type: "string"; value: string; bytes: Buffer; literal: boolean }
  | { type: "list"; items: Token[] };

/** A syntax error in a command: answered with BAD, never thrown past the dispatcher. */
export class ParseError extends Error {
  constructor(
    message: string,
    /** Response code for the BAD/NO, e.g. BADCHARSET. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "ParseError";
  }
}

const MAX_DEPTH = 16;
const LITERAL_AT_END = /^\{(\d+)\+?\}$/;

/**
 * Splits a framed command into tokens: atoms, strings (quoted or literal) and parenthesized
 * lists. An atom that opens "[" runs to the matching "]" (spaces and parentheses included)
 * and may carry a "<…>" partial, so `BODY.PEEK[HEADER.FIELDS (From To)]<0.100>` is one atom
 * that the FETCH parser takes apart.
 */
export function tokenize(frame: Frame): Token[] {
  const root: Token[] = [];
  const stack: Token[][] = [root];
  for (let li = 0; li < frame.lines.length; li++) {
    const line = frame.lines[li] ?? Buffer.alloc(0);
    const text = line.toString("latin1");
    let i = 0;
    const hasLiteral = li < frame.literals.length;
    while (i < text.length) {
      const ch = text[i];
      const top = stack[stack.length - 1] as Token[];
      if (ch === " ") {
        i++;
        continue;
      }
      if (ch === "(") {
        if (stack.length > MAX_DEPTH) throw new ParseError("Lists nested too deeply");
        const list: Token = { type: "list", items: [] };
        top.push(list);
        stack.push(list.items);
        i++;
        continue;
      }
      if (ch === ")") {
        if (stack.length === 1) throw new ParseError("Unbalanced parenthesis");
        stack.pop();
        i++;
        continue;
      }
      if (ch === '"') {
        const { bytes, next } = readQuoted(line, i);
        top.push({ type: "string", value: bytes.toString("utf8"), bytes, literal: false });
        i = next;
        continue;
      }
      if (ch === "{" && hasLiteral && LITERAL_AT_END.test(text.slice(i))) {
        const bytes = frame.literals[li] ?? Buffer.alloc(0);
        top.push({ type: "string", value: bytes.toString("utf8"), bytes, literal: true });
        i = text.length;
        continue;
      }
      const { value, next } = readAtom(text, i);
      top.push({ type: "atom", value: Buffer.from(value, "latin1").toString("utf8") });
      i = next;
    }
  }
  if (stack.length !== 1) throw new ParseError("Unbalanced parenthesis");
  return root;
}

function readQuoted(line: Buffer, start: number): { bytes: Buffer; next: number } {
  const out: number[] = [];
  for (let i = start + 1; i < line.length; i++) {
    const c = line[i] as number;
    if (c === 0x5c) {
      const n = line[i + 1];
      if (n !== 0x5c && n !== 0x22) throw new ParseError("Invalid escape in quoted string");
      out.push(n);
      i++;
      continue;
    }
    if (c === 0x22) return { bytes: Buffer.from(out), next: i + 1 };
    if (c === 0x0d || c === 0x0a || c === 0) throw new ParseError("Invalid character in quoted string");
    out.push(c);
  }
  throw new ParseError("Unterminated quoted string");
}

function readAtom(text: string, start: number): { value: string; next: number } {
  let i = start;
  let depth = 0;
  for (; i < text.length; i++) {
    const ch = text[i] as string;
    if (depth > 0) {
      if (ch === "[") depth++;
      else if (ch === "]") depth--;
      continue;
    }
    if (ch === "[") {
      depth = 1;
      continue;
    }
    if (ch === " " || ch === "(" || ch === ")") break;
    if (ch === '"' || ch === "{" || ch.charCodeAt(0) < 0x20 || ch === "\x7f")
      throw new ParseError(`Invalid character in atom: ${JSON.stringify(ch)}`);
  }
  if (depth > 0) throw new ParseError("Unbalanced bracket");
  const value = text.slice(start, i);
  if (!value) throw new ParseError("Empty atom");
  return { value, next: i };
}
