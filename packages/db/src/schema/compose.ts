import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { type ConversationStatus, conversations, drafts } from "./conversations";
import { users } from "./directory";
import { outboundMessages } from "./outbound";

/** A stored copy the send produced (Sent, or a local recipient's inbox), removed again by an undo. */
export interface HeldCopy {
  inboxId: number;
  mailboxId: number;
  messageId: number;
}

/**
 * A web send inside its undo window. Its queue rows are already queued with their next
 * attempt at releaseAt, so the delivery workers (any process, after any restart) send it
 * when the window ends; until then the author may cancel, which deletes the outbound
 * message, the copies it left here and this row in one transaction and gives the draft back.
 */
export const heldSends = pgTable(
  "held_sends",
  {
    outboundMessageId: bigint({ mode: "number" })
      .primaryKey()
      .references(() => outboundMessages.id, { onDelete: "cascade" }),
    /** The draft as sent (state "held"); it becomes the editing draft again on cancel. */
    draftId: bigint({ mode: "number" })
      .notNull()
      .references(() => drafts.id, { onDelete: "cascade" }),
    conversationId: bigint({ mode: "number" })
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    authorId: integer()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    replySeq: bigint({ mode: "number" }),
    /** The status before the send moved it, restored on cancel. */
    statusBefore: text().$type<ConversationStatus>().notNull(),
    /** The スヌーズ the send ended (its time, who set it), restored with the status on cancel. */
    snoozeBefore: jsonb().$type<{ until: string; by: number | null }>(),
    copies: jsonb().$type<HeldCopy[]>().notNull().default([]),
    releaseAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("held_sends_conversation_idx").on(t.conversationId, t.authorId)],
);

/** Files uploaded into a draft, attached when it is sent; the bytes are a blob. */
export const draftAttachments = pgTable(
  "draft_attachments",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    draftId: bigint({ mode: "number" })
      .notNull()
      .references(() => drafts.id, { onDelete: "cascade" }),
    filename: text().notNull(),
    contentType: text().notNull(),
    size: integer().notNull(),
    blobHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("draft_attachments_draft_idx").on(t.draftId)],
);
