-- Hand-written: search terms of 1-2 characters (請求, 納期, a single letter) have no trigram, so pg_trgm cannot answer them; a GIN index over each message's distinct characters and character pairs can (PGlite too). And "assigned to me" across inboxes reads by assignee, newest first.
-- The searchable text's characters and adjacent pairs (lower-cased, no whitespace). IMMUTABLE: it only depends on its argument.
CREATE OR REPLACE FUNCTION madoguchi_search_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
    SELECT unnest(array[ch, ch || lead(ch) OVER (ORDER BY i)]) AS g
    FROM unnest(string_to_array(lower(t), NULL)) WITH ORDINALITY AS u(ch, i)
  ) x WHERE g IS NOT NULL AND g !~ '\s'
$$;--> statement-breakpoint
-- The same expression as messages_search_trgm_idx (0002) and MESSAGE_SEARCH_TEXT in packages/core/src/web/conversation-search.ts.
CREATE INDEX IF NOT EXISTS "messages_search_grams_idx" ON "messages" USING gin (madoguchi_search_grams(
  "subject" || ' ' || "body_text" || ' ' || coalesce("from_address", '') || ' ' || coalesce("from_name", '')
  || ' ' || "to"::text || ' ' || "cc"::text));--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "conversations_assignee_last_message_idx" ON "conversations" USING btree ("assignee_id", "last_message_at");
