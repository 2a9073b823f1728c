import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { inboxes, users } from "./directory";

/** 未対応 / 対応中 / 保留 / 対応済み */
export const conversationStatuses = ["open", "in_progress", "waiting", "done"] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];

export const conversations = pgTable(
  "conversations",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    inboxId: integer()
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    subject: text().notNull().default(""),
    /** Subject without Re:/Fwd:/返信: prefixes, for the subject threading fallback. */
    normalizedSubject: text().notNull().default(""),
    customerAddress: text(),
    customerName: text(),
    status: text().$type<ConversationStatus>().notNull().default("open"),
    assigneeId: integer().references(() => users.id, { onDelete: "set null" }),
    messageCount: integer().notNull().default(0),
    lastMessageAt: timestamp({ withTimezone: true }),
    lastInboundAt: timestamp({ withTimezone: true }),
    lastOutboundAt: timestamp({ withTimezone: true }),
    /** Seq of the last change of any kind on this conversation. */
    lastSeq: bigint({ mode: "number" }).notNull().default(0),
    /**
     * Seq of the last event that makes a reply based on older state stale: a reply sent,
     * a comment posted, a new customer message. The send-time guard compares against it.
     */
    guardSeq: bigint({ mode: "number" }).notNull().default(0),
    /**
     * 迷惑メール: kept out of the status lists and counts, listed on their own. Set when a message
     * quarantined into Junk starts the conversation, or by a user; cleared by a user, or when a
     * message of it lands outside Junk (a customer's mail that passed, a reply, a mail client
     * moving it out of Junk).
     */
    junk: boolean().notNull().default(false),
    /**
     * スヌーズ: 保留 until this time, then back to 未対応 with a notification to whoever snoozed
     * it (snoozedBy). Cleared whenever the status leaves 保留 (a customer writing, a user).
     */
    snoozedUntil: timestamp({ withTimezone: true }),
    snoozedBy: integer().references(() => users.id, { onDelete: "set null" }),
    replyClaimUserId: integer().references(() => users.id, { onDelete: "set null" }),
    replyClaimExpiresAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("conversations_inbox_status_idx").on(t.inboxId, t.junk, t.status, t.lastMessageAt),
    index("conversations_subject_idx").on(t.inboxId, t.normalizedSubject, t.customerAddress),
    index("conversations_snoozed_idx").on(t.snoozedUntil).where(sql`${t.snoozedUntil} is not null`),
  ],
);

/** Per-user read state of a conversation: read up to this change-log seq. */
export const conversationReads = pgTable(
  "conversation_reads",
  {
    conversationId: bigint({ mode: "number" })
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    readSeq: bigint({ mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.userId] })],
);

/** Internal chat of a conversation; never sent to the customer. */
export const comments = pgTable(
  "comments",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    conversationId: bigint({ mode: "number" })
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    authorId: integer()
      .notNull()
      .references(() => users.id),
    body: text().notNull(),
    mentions: jsonb().$type<number[]>().notNull().default([]),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    editedAt: timestamp({ withTimezone: true }),
    deletedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("comments_conversation_idx").on(t.conversationId, t.id)],
);

export interface DraftContent {
  subject?: string;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  bodyText?: string;
  bodyHtml?: string;
  /** How the composer edits the body: plain text, or markdown sent as HTML with a text part. */
  format?: "plain" | "markdown";
  /** A forward (転送) being written: the message forwarded and whether its attachments go along. */
  forward?: { messageId: number; withAttachments: boolean };
  /** Raw RFC 5322 message when the draft came from a mail client. */
  rawBlobHash?: string;
}

export type DraftState = "editing" | "refused" | "held";

/**
 * Drafts: replies (including those the send-time guard refused, kept, never lost), and new
 * messages (新規作成) not yet sent, which have a sending inbox but no conversation yet.
 */
export const drafts = pgTable(
  "drafts",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    /** Null for a new message: its conversation starts when it is sent. */
    conversationId: bigint({ mode: "number" }).references(() => conversations.id, { onDelete: "cascade" }),
    /** The From inbox of a new message (null for a reply: the conversation's inbox). */
    inboxId: integer().references(() => inboxes.id, { onDelete: "cascade" }),
    authorId: integer()
      .notNull()
      .references(() => users.id),
    content: jsonb().$type<DraftContent>().notNull(),
    basedOnSeq: bigint({ mode: "number" }).notNull().default(0),
    /** Why the draft exists: being written, refused by the reply guard, or sent but still inside its undo window. */
    state: text().$type<DraftState>().notNull().default("editing"),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("drafts_conversation_idx").on(t.conversationId),
    index("drafts_new_message_idx").on(t.authorId, t.inboxId).where(sql`${t.conversationId} is null`),
    check("drafts_reply_or_new", sql`${t.conversationId} is not null or ${t.inboxId} is not null`),
  ],
);
