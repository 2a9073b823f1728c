import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { inboxes } from "./directory";

export const changeKinds = [
  "message_added",
  "message_flags",
  "message_seen",
  "message_expunged",
  "conversation_created",
  "status_changed",
  "assignee_changed",
  "junk_changed",
  "labels_changed",
  "snooze_changed",
  "comment_added",
  "comment_edited",
  "comment_deleted",
  "reply_claimed",
  "reply_sent",
  "reply_refused",
  "reply_cancelled",
  "auto_reply",
] as const;
export type ChangeKind = (typeof changeKinds)[number];

/**
 * The ordered change log of an inbox: IMAP MODSEQ, the web clients' catch-up cursor and the
 * audit trail. `seq` comes from inboxes.modseq inside the writing transaction (never a bare
 * bigserial, which commits out of order).
 */
export const changes = pgTable(
  "changes",
  {
    inboxId: integer()
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    seq: bigint({ mode: "number" }).notNull(),
    kind: text().$type<ChangeKind>().notNull(),
    conversationId: bigint({ mode: "number" }),
    messageId: bigint({ mode: "number" }),
    mailboxId: integer(),
    /** Who made the change; null for mail arriving from outside. */
    actorId: integer(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.inboxId, t.seq] }),
    index("changes_conversation_idx").on(t.conversationId, t.seq),
  ],
);

/** Expunged UIDs with the modseq of their expunge, so QRESYNC can answer VANISHED. */
export const expungedMessages = pgTable(
  "expunged_messages",
  {
    mailboxId: integer().notNull(),
    uid: integer().notNull(),
    modseq: bigint({ mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.mailboxId, t.uid] }),
    index("expunged_modseq_idx").on(t.mailboxId, t.modseq),
  ],
);
