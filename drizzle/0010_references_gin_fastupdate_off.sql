-- Hand-written (drizzle-kit would rebuild the index): every delivery's thread lookup searches the References GIN index, and with fastupdate its pending list (unsorted entries waiting for a vacuum, up to 4 MB) was scanned by each search: 3.5 ms per message at 30,000 messages, under the inbox lock. Without it, entries go straight into the index; References are a few ids per message.
ALTER INDEX "messages_references_idx" SET (fastupdate = off);--> statement-breakpoint
-- Entries already pending move into the index now, not at the next vacuum.
SELECT gin_clean_pending_list('messages_references_idx');
