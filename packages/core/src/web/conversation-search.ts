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
 * The searchable text of a message. Written exactly as the expression of the pg_trgm index
 * messages_search_trgm_idx (migration 0002), so PostgreSQL can answer ILIKE from the index.
 */
const MESSAGE_SEARCH_TEXT = sql.raw(
  `(m.subject || ' ' || m.body_text || ' ' || coalesce(m.from_address, '') || ' ' || coalesce(m.from_name, '') || ' ' || m."to"::text || ' ' || m.cc::text)`,
);

/** A conversation matches a term when one of its messages does (subject, body, From, To, Cc). */
export function searchCondition(inboxIds: number[], term: string): SQL {
  const p = `%${escapeLike(term)}%`;
  const inInboxes = sql.join(
    inboxIds.map((id) => sql`${id}`),
    sql`, `,
  );
  return sql`${conversations.id} in (select m.conversation_id from ${messages} m
    where m.inbox_id in (${inInboxes}) and ${MESSAGE_SEARCH_TEXT} ilike ${p})`;
}
