-- New messages (新規作成) get server drafts with uploaded files: a draft has a conversation (reply) or only a From inbox (new message).
ALTER TABLE "drafts" ALTER COLUMN "conversation_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "drafts" ADD COLUMN "inbox_id" integer;--> statement-breakpoint
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_inbox_id_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."inboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "drafts_new_message_idx" ON "drafts" USING btree ("author_id","inbox_id") WHERE "drafts"."conversation_id" is null;--> statement-breakpoint
ALTER TABLE "drafts" ADD CONSTRAINT "drafts_reply_or_new" CHECK ("drafts"."conversation_id" is not null or "drafts"."inbox_id" is not null);