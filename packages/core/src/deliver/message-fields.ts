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
 * Whitespace ends a run, so texts joined with a space give no pair across the join.
 */
export function searchGramsOf(text: string): string[] {
  const grams = new Set<string>();
  let previous = "";
  for (const ch of text.toLowerCase()) {
    if (/\s/.test(ch)) {
      previous = "";
      continue;
    }
    grams.add(ch);
    if (previous) grams.add(previous + ch);
    previous = ch;
  }
  return [...grams];
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
