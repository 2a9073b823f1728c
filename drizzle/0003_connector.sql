-- External mailbox connector (issue 6): per-inbox account at another provider (sealed passwords, sync lease, errors) and per-folder UIDVALIDITY/UID checkpoints with import progress.
CREATE TABLE "connector_accounts" (
	"id" serial PRIMARY KEY NOT NULL,
	"inbox_id" integer NOT NULL,
	"imap_host" text NOT NULL,
	"imap_port" integer NOT NULL,
	"imap_tls" text NOT NULL,
	"imap_user" text NOT NULL,
	"imap_password_sealed" text NOT NULL,
	"smtp_host" text,
	"smtp_port" integer,
	"smtp_tls" text,
	"smtp_user" text,
	"smtp_password_sealed" text,
	"folders" jsonb DEFAULT '["INBOX"]'::jsonb NOT NULL,
	"sent_folder" text,
	"import_since" timestamp with time zone,
	"mirror_seen" boolean DEFAULT false NOT NULL,
	"allow_invalid_cert" boolean DEFAULT false NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"last_error_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "connector_folders" (
	"id" serial PRIMARY KEY NOT NULL,
	"account_id" integer NOT NULL,
	"remote_name" text NOT NULL,
	"uid_validity" bigint,
	"last_uid" bigint DEFAULT 0 NOT NULL,
	"highest_modseq" text,
	"import_finished_at" timestamp with time zone,
	"import_total" integer DEFAULT 0 NOT NULL,
	"import_done" integer DEFAULT 0 NOT NULL,
	"run_started_at" timestamp with time zone,
	"run_start_done" integer DEFAULT 0 NOT NULL,
	"progress_at" timestamp with time zone,
	"last_sync_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "connector_accounts" ADD CONSTRAINT "connector_accounts_inbox_id_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."inboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connector_folders" ADD CONSTRAINT "connector_folders_account_id_connector_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."connector_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "connector_accounts_inbox_idx" ON "connector_accounts" USING btree ("inbox_id");--> statement-breakpoint
CREATE UNIQUE INDEX "connector_folders_account_name_idx" ON "connector_folders" USING btree ("account_id","remote_name");--> statement-breakpoint
CREATE INDEX "connector_folders_account_idx" ON "connector_folders" USING btree ("account_id");