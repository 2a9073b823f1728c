CREATE TABLE "inbox_aliases" (
	"id" serial PRIMARY KEY NOT NULL,
	"inbox_id" integer NOT NULL,
	"address" text NOT NULL,
	"domain_id" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "inbox_aliases" ADD CONSTRAINT "inbox_aliases_inbox_id_inboxes_id_fk" FOREIGN KEY ("inbox_id") REFERENCES "public"."inboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox_aliases" ADD CONSTRAINT "inbox_aliases_domain_id_domains_id_fk" FOREIGN KEY ("domain_id") REFERENCES "public"."domains"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_aliases_address_lower_idx" ON "inbox_aliases" USING btree (lower("address"));--> statement-breakpoint
CREATE INDEX "inbox_aliases_inbox_idx" ON "inbox_aliases" USING btree ("inbox_id");