-- Outbound mail: accepted messages and their per-domain delivery queue (claimed with FOR UPDATE SKIP LOCKED, leased, retried, bounced), and per-domain DKIM signing keys.
CREATE TABLE "dkim_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"domain_id" integer NOT NULL,
	"selector" text NOT NULL,
	"algorithm" text DEFAULT 'rsa-sha256' NOT NULL,
	"private_key_pem" text NOT NULL,
	"public_key" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbound_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"inbox_id" integer NOT NULL,
	"sender_user_id" integer,
	"conversation_id" bigint,
	"message_id_header" text NOT NULL,
	"mail_from" text NOT NULL,
	"blob_hash" text NOT NULL,
	"size" integer NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"based_on_seq" bigint,
	"reply_seq" bigint,
	"released_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbound_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"outbound_message_id" bigint NOT NULL,
	"domain" text NOT NULL,
	"recipients" jsonb NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"results" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"delay_notified_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dkim_keys" ADD CONSTRAINT "dkim_keys_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_inbox_id_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."inboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_sender_user_id_users_id_fk" FOREIGN KEY ("sender_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD CONSTRAINT "outbound_messages_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_queue" ADD CONSTRAINT "outbound_queue_outbound_message_id_outbound_messages_id_fk" FOREIGN KEY ("outbound_message_id") REFERENCES "public"."outbound_messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dkim_keys_domain_selector_idx" ON "dkim_keys" USING btree ("domain_id","selector");--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_messages_inbox_msgid_idx" ON "outbound_messages" USING btree ("inbox_id","message_id_header");--> statement-breakpoint
CREATE INDEX "outbound_queue_due_idx" ON "outbound_queue" USING btree ("state","next_attempt_at");--> statement-breakpoint
CREATE INDEX "outbound_queue_message_idx" ON "outbound_queue" USING btree ("outbound_message_id");