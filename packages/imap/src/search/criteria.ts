import { atomOf } from "../protocol/args";
import { DAY_MS, parseSearchDate } from "../protocol/dates";
import { parseSequenceSet, type SequenceSet } from "../protocol/sequence";
import { ParseError, type Token } from "../protocol/tokens";

/** A search string as received: decoded later with the command's CHARSET. */
export interface SearchString {
  bytes: Buffer;
  value: string;
}

export type SearchNode =
  | { op: "and"; nodes: SearchNode[] }
  | { op: "or"; a: SearchNode; b: SearchNode }
  | { op: "not"; node: SearchNode }
  | { op: "all" }
  | { op: "none" }
  | { op: "flag"; flag: string; present: boolean }
  | { op: "text"; field: "subject" | "from" | "to" | "cc" | "body" | "text"; value: SearchString }
  | { op: "header"; name: string; value: SearchString }
  | { op: "size"; larger: boolean; n: number }
  | { op: "internal"; since?: Date; before?: Date }
  | { op: "sent"; since?: Date; before?: Date }
  | { op: "uid"; set: SequenceSet }
  | { op: "seq"; set: SequenceSet }
  | { op: "modseq"; n: number };

const MAX_DEPTH = 32;

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ["\\Answered", true],
  DELETED: ["\\Deleted", true],
  DRAFT: ["\\Draft", true],
  FLAGGED: ["\\Flagged", true],
  SEEN: ["\\Seen", true],
  UNANSWERED: ["\\Answered", false],
  UNDELETED: ["\\Deleted", false],
  UNDRAFT: ["\\Draft", false],
  UNFLAGGED: ["\\Flagged", false],
  UNSEEN: ["\\Seen", false],
};
const TEXT_KEYS: Record<string, "subject" | "from" | "to" | "cc" | "body" | "text"> = {
  SUBJECT: "subject",
  FROM: "from",
  TO: "to",
  CC: "cc",
  BODY: "body",
  TEXT: "text",
};

/** Parses search keys (RFC 3501 §6.4.4, RFC 7162 MODSEQ, RFC 5182 "$"); several keys are ANDed. */
export function parseSearchKeys(tokens: Token[]): SearchNode {
  const cursor = { i: 0 };
  const nodes: SearchNode[] = [];
  while (cursor.i < tokens.length) nodes.push(parseKey(tokens, cursor, 0));
  if (!nodes.length) throw new ParseError("Missing search criteria");
  return nodes.length === 1 ? (nodes[0] as SearchNode) : { op: "and", nodes };
}

function str(tokens: Token[], cursor: { i: number }, what: string): SearchString {
  const t = tokens[cursor.i++];
  if (!t || t.type === "list") throw new ParseError(`Missing ${what}`);
  return t.type === "string"
    ? { bytes: t.bytes, value: t.value }
    : { bytes: Buffer.from(t.value), value: t.value };
}

function atomArg(tokens: Token[], cursor: { i: number }, what: string): string {
  const t = tokens[cursor.i++];
  if (!t || t.type === "list") throw new ParseError(`Missing ${what}`);
  return t.value;
}

function num(tokens: Token[], cursor: { i: number }, what: string): number {
  const v = atomArg(tokens, cursor, what);
  if (!/^\d{1,19}$/.test(v)) throw new ParseError(`${what} must be a number`);
  return Number(v);
}

function parseKey(tokens: Token[], cursor: { i: number }, depth: number): SearchNode {
  if (depth > MAX_DEPTH) throw new ParseError("Search criteria nested too deeply");
  const t = tokens[cursor.i++];
  if (!t) throw new ParseError("Missing search key");
  if (t.type === "list") {
    if (!t.items.length) throw new ParseError("Empty search list");
    const inner = { i: 0 };
    const nodes: SearchNode[] = [];
    while (inner.i < t.items.length) nodes.push(parseKey(t.items, inner, depth + 1));
    return nodes.length === 1 ? (nodes[0] as SearchNode) : { op: "and", nodes };
  }
  if (t.type === "string") throw new ParseError("Unexpected string in search criteria");
  const key = t.value.toUpperCase();
  const flag = FLAG_KEYS[key];
  if (flag) return { op: "flag", flag: flag[0], present: flag[1] };
  const field = TEXT_KEYS[key];
  if (field) return { op: "text", field, value: str(tokens, cursor, `${key} string`) };
  const date = () => parseSearchDate(atomArg(tokens, cursor, "date"));
  switch (key) {
    case "ALL":
    case "OLD":
      return { op: "all" };
    case "NEW":
    case "RECENT":
      // \Recent is not kept (IMAP4rev2 dropped it): nothing is recent.
      return { op: "none" };
    case "BCC":
      return { op: "header", name: "bcc", value: str(tokens, cursor, "BCC string") };
    case "HEADER": {
      const name = str(tokens, cursor, "header name").value.toLowerCase();
      return { op: "header", name, value: str(tokens, cursor, "header value") };
    }
    case "KEYWORD":
      return { op: "flag", flag: atomArg(tokens, cursor, "keyword"), present: true };
    case "UNKEYWORD":
      return { op: "flag", flag: atomArg(tokens, cursor, "keyword"), present: false };
    case "LARGER":
      return { op: "size", larger: true, n: num(tokens, cursor, "size") };
    case "SMALLER":
      return { op: "size", larger: false, n: num(tokens, cursor, "size") };
    case "BEFORE":
      return { op: "internal", before: date() };
    case "SINCE":
      return { op: "internal", since: date() };
    case "ON": {
      const d = date();
      return { op: "internal", since: d, before: new Date(d.getTime() + DAY_MS) };
    }
    case "SENTBEFORE":
      return { op: "sent", before: date() };
    case "SENTSINCE":
      return { op: "sent", since: date() };
    case "SENTON": {
      const d = date();
      return { op: "sent", since: d, before: new Date(d.getTime() + DAY_MS) };
    }
    case "NOT":
      return { op: "not", node: parseKey(tokens, cursor, depth + 1) };
    case "OR": {
      const a = parseKey(tokens, cursor, depth + 1);
      const b = parseKey(tokens, cursor, depth + 1);
      return { op: "or", a, b };
    }
    case "UID":
      return { op: "uid", set: parseSequenceSet(atomArg(tokens, cursor, "UID set")) };
    case "MODSEQ": {
      // MODSEQ ["/flags/\\Seen" all|shared|priv] n: the entry narrows nothing here.
      const next = tokens[cursor.i];
      if (next?.type === "string") cursor.i += 2;
      return { op: "modseq", n: num(tokens, cursor, "modseq") };
    }
    default:
      if (/^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/.test(key) || key === "$")
        return { op: "seq", set: parseSequenceSet(key) };
      throw new ParseError(`Unknown search key ${key.slice(0, 30)}`);
  }
}

/** SEARCH [RETURN (…)] [CHARSET x] keys */
export interface SearchArgs {
  /** ESEARCH return options; null for a plain SEARCH. */
  returns: string[] | null;
  charset: string | null;
  criteria: SearchNode;
}

const RETURN_OPTIONS = new Set(["MIN", "MAX", "COUNT", "ALL", "SAVE"]);

export function parseSearchArgs(tokens: Token[]): SearchArgs {
  let i = 0;
  let returns: string[] | null = null;
  if (atomOf(tokens[i]) === "RETURN") {
    const list = tokens[i + 1];
    if (list?.type !== "list") throw new ParseError("RETURN needs a list");
    returns = list.items.map((t) => {
      const o = atomOf(t);
      if (!o || !RETURN_OPTIONS.has(o)) throw new ParseError(`Unknown RETURN option ${o ?? ""}`);
      return o;
    });
    if (!returns.length) returns = ["ALL"];
    i += 2;
  }
  let charset: string | null = null;
  if (atomOf(tokens[i]) === "CHARSET") {
    const c = tokens[i + 1];
    if (!c || c.type === "list") throw new ParseError("CHARSET needs a name");
    charset = c.value.toUpperCase();
    i += 2;
  }
  return { returns, charset, criteria: parseSearchKeys(tokens.slice(i)) };
}
