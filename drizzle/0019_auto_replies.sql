-- 自動返信: one row per new inquiry in an inbox with auto-reply on, written with the delivery, then sent or skipped by the auto-replier.
CREATE TABLE "auto_replies" (
	"conversation_id" bigint PRIMARY KEY NOT NULL,
	"inbox_id" integer NOT NULL,
	"message_id" bigint,
	"mail_from" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"reason" text,
	"recipient" text,
	"outbound_id" bigint,
	"claimed_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "auto_replies" ADD CONSTRAINT "auto_replies_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auto_replies" ADD CONSTRAINT "auto_replies_inbox_id_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."inboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "auto_replies_pending_idx" ON "auto_replies" USING btree ("created_at") WHERE "auto_replies"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "auto_replies_recipient_idx" ON "auto_replies" USING btree ("inbox_id",lower("recipient"),"done_at");