-- The スヌーズ a held send ended, so that cancelling the send (取り消し) gives it back with the status.
ALTER TABLE "held_sends" ADD COLUMN "snooze_before" jsonb;