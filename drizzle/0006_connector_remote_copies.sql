-- Connector \Seen mirroring (issue 6): the remote folder/UIDVALIDITY/UID of each imported message, with a durable "remote copy has \Seen" marker.
CREATE TABLE "connector_remote_copies" (
	"account_id" integer NOT NULL,
	"remote_name" text NOT NULL,
	"uid_validity" bigint NOT NULL,
	"uid" bigint NOT NULL,
	"message_id" bigint NOT NULL,
	"remote_seen" boolean DEFAULT false NOT NULL,
	CONSTRAINT "connector_remote_copies_account_id_remote_name_uid_validity_uid_pk" PRIMARY KEY("account_id","remote_name","uid_validity","uid")
);
--> statement-breakpoint
ALTER TABLE "connector_remote_copies" ADD CONSTRAINT "connector_remote_copies_account_id_connector_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."connector_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connector_remote_copies" ADD CONSTRAINT "connector_remote_copies_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connector_remote_copies_message_idx" ON "connector_remote_copies" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "connector_remote_copies_unseen_idx" ON "connector_remote_copies" USING btree ("account_id") WHERE not "connector_remote_copies"."remote_seen";