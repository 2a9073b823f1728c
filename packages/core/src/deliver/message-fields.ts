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

/** The columns of a messages row that come from the parsed message. */
export function messageFields(parsed: ParsedMessage) {
  return {
    inReplyTo: parsed.inReplyTo,
    references: parsed.references,
    subject: parsed.subject,
    fromAddress: parsed.from?.address?.toLowerCase() ?? null,
    fromName: parsed.from?.name ?? null,
    to: parsed.to,
    cc: parsed.cc,
    date: parsed.date,
    snippet: parsed.snippet,
    bodyText: parsed.text.slice(0, MAX_BODY_TEXT),
    hasAttachments: parsed.attachments.some((a) => !a.inline),
    attachments: parsed.attachments,
  };
}
