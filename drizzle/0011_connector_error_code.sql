-- A connector's last error keeps its code, facts and failed job (sending, Sent copy) beside the English text, so the admin page words it in the admin's language without parsing the text back with regexes. Rows stored before this keep code null and are shown as text until their next failure.
ALTER TABLE "connector_accounts" ADD COLUMN "last_error_code" text;--> statement-breakpoint
ALTER TABLE "connector_accounts" ADD COLUMN "last_error_params" jsonb;--> statement-breakpoint
ALTER TABLE "connector_accounts" ADD COLUMN "last_error_context" text;