-- Threading: finding the replies to a newly arrived message (In-Reply-To, References) must not scan the whole inbox.
CREATE INDEX "messages_inbox_in_reply_to_idx" ON "messages" USING btree ("inbox_id","in_reply_to");--> statement-breakpoint
CREATE INDEX "messages_references_idx" ON "messages" USING gin ("references" jsonb_path_ops);