/**
 * Message-IDs are stored bare, WITHOUT angle brackets ("abc@example.jp"), in messageId,
 * inReplyTo and references alike, so threading compares plain strings. Builders add the
 * brackets back when writing headers.
 */
const BRACKETED = /<([^<>\s]+)>/g;

/** All ids in a header value: bracketed ones if there are any, else whitespace-separated tokens. */
export function parseMessageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  const clean = value.replace(/\0/g, "");
  const bracketed = [...clean.matchAll(BRACKETED)].map((m) => m[1] ?? "");
  const ids = bracketed.length > 0 ? bracketed : clean.split(/[\s,]+/).map((t) => t.replace(/^<|>$/g, ""));
  return [...new Set(ids.filter((id) => id.length > 0))];
}

/** The first id of a header value (Message-ID, In-Reply-To may carry trailing junk), or null. */
export const firstMessageId = (value: string | null | undefined): string | null =>
  parseMessageIds(value)[0] ?? null;
