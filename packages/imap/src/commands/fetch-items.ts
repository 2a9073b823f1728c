import { parseSection, type Section, sectionLabel } from "../mime/sections";
import { atomOf } from "../protocol/args";
import { ParseError, type Token } from "../protocol/tokens";

export type FetchItem =
  | {
      kind:
        | "FLAGS"
        | "UID"
        | "INTERNALDATE"
        | "RFC822.SIZE"
        | "ENVELOPE"
        | "BODYSTRUCTURE"
        | "BODY"
        | "MODSEQ";
    }
  | { kind: "RFC822" | "RFC822.HEADER" | "RFC822.TEXT" }
  | {
      kind: "SECTION";
      peek: boolean;
      section: Section;
      partial: { start: number; length: number } | null;
      label: string;
    };

const SIMPLE = new Set([
  "FLAGS",
  "UID",
  "INTERNALDATE",
  "RFC822.SIZE",
  "ENVELOPE",
  "BODYSTRUCTURE",
  "BODY",
  "MODSEQ",
]);
const MACROS: Record<string, string[]> = {
  ALL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
  FAST: ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
  FULL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"],
};
const SECTION_RE = /^(BODY(?:\.PEEK)?)\[(.*)\](?:<(\d+)\.(\d+)>)?$/is;

export function parseFetchItems(t: Token): FetchItem[] {
  if (t.type === "atom" && MACROS[t.value.toUpperCase()]) {
    return (MACROS[t.value.toUpperCase()] as string[]).map((k) => parseOne(k));
  }
  const tokens = t.type === "list" ? t.items : [t];
  if (!tokens.length) throw new ParseError("Empty FETCH item list");
  return tokens.map((item) => {
    if (item.type !== "atom") throw new ParseError("Invalid FETCH item");
    return parseOne(item.value);
  });
}

function parseOne(text: string): FetchItem {
  const upper = text.toUpperCase();
  if (SIMPLE.has(upper)) return { kind: upper as "FLAGS" };
  if (upper === "RFC822" || upper === "RFC822.HEADER" || upper === "RFC822.TEXT") return { kind: upper };
  const m = SECTION_RE.exec(text);
  if (!m) throw new ParseError(`Unknown FETCH item ${text.slice(0, 40)}`);
  const section = parseSection(m[2] as string);
  const partial = m[3] !== undefined ? { start: Number(m[3]), length: Number(m[4]) } : null;
  if (partial && partial.length === 0) throw new ParseError("Partial length must be positive");
  return {
    kind: "SECTION",
    peek: (m[1] as string).toUpperCase() === "BODY.PEEK",
    section,
    partial,
    label: `BODY[${sectionLabel(section)}]${partial ? `<${partial.start}>` : ""}`,
  };
}

/** FETCH modifiers (RFC 7162): (CHANGEDSINCE n [VANISHED]). */
export function parseFetchModifiers(t: Token | undefined): {
  changedSince: number | null;
  vanished: boolean;
} {
  if (!t) return { changedSince: null, vanished: false };
  if (t.type !== "list") throw new ParseError("Invalid FETCH modifiers");
  let changedSince: number | null = null;
  let vanished = false;
  for (let i = 0; i < t.items.length; i++) {
    const name = atomOf(t.items[i]);
    if (name === "CHANGEDSINCE") {
      const v = t.items[++i];
      if (v?.type !== "atom" || !/^\d+$/.test(v.value)) throw new ParseError("CHANGEDSINCE needs a modseq");
      changedSince = Number(v.value);
    } else if (name === "VANISHED") vanished = true;
    else throw new ParseError(`Unknown FETCH modifier ${name ?? ""}`);
  }
  if (vanished && changedSince === null) throw new ParseError("VANISHED needs CHANGEDSINCE");
  return { changedSince, vanished };
}

/** Items that set \Seen when fetched from a read-write folder. */
export function marksSeen(items: FetchItem[]): boolean {
  return items.some(
    (i) => i.kind === "RFC822" || i.kind === "RFC822.TEXT" || (i.kind === "SECTION" && !i.peek),
  );
}
