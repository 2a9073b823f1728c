DROP INDEX "conversations_inbox_status_idx";--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "junk" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "conversations_inbox_status_idx" ON "conversations" USING btree ("inbox_id","junk","status","last_message_at");--> statement-breakpoint
-- Conversations quarantined before this column existed: every message in Junk (or thrown away
-- into Trash from there), none anywhere else.
UPDATE "conversations" c SET "junk" = true
WHERE EXISTS (
  SELECT 1 FROM "messages" m JOIN "mailboxes" b ON b."id" = m."mailbox_id"
  WHERE m."conversation_id" = c."id" AND b."special_use" = '\Junk'
) AND NOT EXISTS (
  SELECT 1 FROM "messages" m JOIN "mailboxes" b ON b."id" = m."mailbox_id"
  WHERE m."conversation_id" = c."id" AND b."special_use" IS DISTINCT FROM '\Junk' AND b."special_use" IS DISTINCT FROM '\Trash'
);
