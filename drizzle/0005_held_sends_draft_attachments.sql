-- Undo send held server-side (held_sends survives a restart; cancel removes what the send stored) and files uploaded into drafts.
CREATE TABLE "draft_attachments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"draft_id" bigint NOT NULL,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"blob_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "held_sends" (
	"outbound_message_id" bigint PRIMARY KEY NOT NULL,
	"draft_id" bigint NOT NULL,
	"conversation_id" bigint NOT NULL,
	"author_id" integer NOT NULL,
	"reply_seq" bigint,
	"status_before" text NOT NULL,
	"copies" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"release_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "draft_attachments" ADD CONSTRAINT "draft_attachments_draft_id_drafts_id_fk" FOREIGN KEY ("draft_id") REFERENCES "public"."drafts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "held_sends" ADD CONSTRAINT "held_sends_outbound_message_id_outbound_messages_id_fk" FOREIGN KEY ("outbound_message_id") REFERENCES "public"."outbound_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "held_sends" ADD CONSTRAINT "held_sends_draft_id_drafts_id_fk" FOREIGN KEY ("draft_id") REFERENCES "public"."drafts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "held_sends" ADD CONSTRAINT "held_sends_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "held_sends" ADD CONSTRAINT "held_sends_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "draft_attachments_draft_idx" ON "draft_attachments" USING btree ("draft_id");--> statement-breakpoint
CREATE INDEX "held_sends_conversation_idx" ON "held_sends" USING btree ("conversation_id","author_id");