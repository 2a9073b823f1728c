import type { MessageDirection } from "@madoguchi/db/schema";
import type { ParsedMessage } from "@madoguchi/mail/parse";

/** Keyword on mail that could not be parsed; admins list and reprocess such messages. */
export const PARSE_ERROR_KEYWORD = "$MadoguchiParseError";
/** Stored plain text per message, for search; the full text stays in the blob. */
const MAX_BODY_TEXT = 200_000;

/** The customer of a conversation: who wrote in, or whom we wrote to. */
export function customerOf(
  parsed: ParsedMessage,
  direction: MessageDirection,
): { address: string | null; name: string | null } {
  const party = direction === "inbound" ? (parsed.replyTo[0] ?? parsed.from) : parsed.to[0];
  return { address: party?.address?.toLowerCase() || null, name: party?.name || null };
}

/**
 * The distinct characters and adjacent character pairs of a text, lower-cased, none containing
 * whitespace: what messages.search_grams indexes for search terms of one or two characters.
 * Whitespace ends a run, so texts joined with a space give no pair across the join. In order of
 * first appearance. Keyed by code points instead of strings: it runs on the SMTP listener's
 * thread for every message, and the string form cost 4.6 ms for 100 KB of text (a quarter of
 * the thread in smtp-source's 100 KB run), this one about a quarter of that.
 */
export function searchGramsOf(text: string): string[] {
  const lower = text.toLowerCase();
  // A character is its code point (>= 0), a pair -(first * 0x110000 + second) - 1: both exact.
  const seen = new Set<number>();
  const grams: string[] = [];
  let previous = -1;
  for (let i = 0; i < lower.length; ) {
    const cp = lower.codePointAt(i) ?? 0;
    i += cp > 0xffff ? 2 : 1;
    if (isWhitespace(cp)) {
      previous = -1;
      continue;
    }
    if (!seen.has(cp)) {
      seen.add(cp);
      grams.push(String.fromCodePoint(cp));
    }
    if (previous >= 0) {
      const pair = -(previous * 0x110000 + cp) - 1;
      if (!seen.has(pair)) {
        seen.add(pair);
        grams.push(String.fromCodePoint(previous, cp));
      }
    }
    previous = cp;
  }
  return grams;
}

/** What JavaScript's \s matches (the test holds it to that for every BMP code point). */
export function isWhitespace(cp: number): boolean {
  if (cp <= 0x20) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  if (cp < 0xa0) return false;
  return (
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000 ||
    cp === 0xfeff
  );
}

/** The columns of a messages row that come from the parsed message. */
export function messageFields(parsed: ParsedMessage) {
  const bodyText = parsed.text.slice(0, MAX_BODY_TEXT);
  const fromAddress = parsed.from?.address?.toLowerCase() ?? null;
  const people = [...parsed.to, ...parsed.cc].map((a) => `${a.name} ${a.address}`);
  return {
    inReplyTo: parsed.inReplyTo,
    references: parsed.references,
    subject: parsed.subject,
    fromAddress,
    fromName: parsed.from?.name ?? null,
    to: parsed.to,
    cc: parsed.cc,
    date: parsed.date,
    snippet: parsed.snippet,
    bodyText,
    // The same parts as the search text (conversation-search.ts), each its own run.
    searchGrams: searchGramsOf(
      [parsed.subject, bodyText, fromAddress ?? "", parsed.from?.name ?? "", ...people].join(" "),
    ),
    hasAttachments: parsed.attachments.some((a) => !a.inline),
    attachments: parsed.attachments,
  };
}
