import { conversations, messages } from "@madoguchi/db/schema";
import { type SQL, sql } from "drizzle-orm";

/** Search terms beyond this are ignored; each is a substring match over several columns. */
const MAX_SEARCH_TERMS = 5;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function searchTerms(q: string | undefined): string[] {
  return (q ?? "")
    .split(/[\s\u3000]+/)
    .map((t) => t.trim())
    .filter(Boolean)
    .slice(0, MAX_SEARCH_TERMS);
}

/**
 * The searchable text of a message. Written exactly as the expression of the index
 * messages_search_trgm_idx (pg_trgm, migration 0002), so PostgreSQL can answer from it.
 */
const MESSAGE_SEARCH_TEXT = sql.raw(
  `(m.subject || ' ' || m.body_text || ' ' || coalesce(m.from_address, '') || ' ' || coalesce(m.from_name, '') || ' ' || m."to"::text || ' ' || m.cc::text)`,
);

/** pg_trgm indexes terms of this many characters and more; shorter ones go through the grams index. */
const TRIGRAM = 3;

/**
 * Terms of one or two characters (請求, 納期, "x") have no trigram: messages.search_grams (each
 * message's distinct characters and character pairs, searchGramsOf) finds the messages
 * containing the term, through its GIN index, and ILIKE rechecks them.
 */
function shortTermIndexed(term: string): SQL {
  return sql`m.search_grams @> array[${term.toLowerCase()}]::text[]`;
}

/** A conversation matches a term when one of its messages does (subject, body, From, To, Cc). */
export function searchCondition(inboxIds: number[], term: string): SQL {
  const p = `%${escapeLike(term)}%`;
  const inInboxes = sql.join(
    inboxIds.map((id) => sql`${id}`),
    sql`, `,
  );
  const short = [...term].length < TRIGRAM ? sql`${shortTermIndexed(term)} and ` : sql``;
  return sql`${conversations.id} in (select m.conversation_id from ${messages} m
    where m.inbox_id in (${inInboxes}) and ${short}${MESSAGE_SEARCH_TEXT} ilike ${p})`;
}
