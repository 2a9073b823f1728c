import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { conversations } from "./conversations";
import { inboxes, users } from "./directory";
import { mailboxes } from "./mailboxes";

export interface AddressJson {
  name: string;
  address: string;
}

/** Pre-digested attachment list so the UI and IMAP need not re-parse for summaries. */
export interface AttachmentJson {
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
}

export type MessageDirection = "inbound" | "outbound";

/**
 * One message in one IMAP mailbox. The raw bytes live in the blob store under `blobHash`;
 * a COPY makes another row pointing at the same blob.
 * `flags` are the shared IMAP flags (\Answered \Flagged \Draft \Deleted); `\Seen` is per user
 * in message_user_state.
 */
export const messages = pgTable(
  "messages",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    inboxId: integer()
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    mailboxId: integer()
      .notNull()
      .references(() => mailboxes.id, { onDelete: "cascade" }),
    conversationId: bigint({ mode: "number" }).references(() => conversations.id, { onDelete: "set null" }),
    uid: integer().notNull(),
    modseq: bigint({ mode: "number" }).notNull(),
    flags: jsonb().$type<string[]>().notNull().default([]),
    keywords: jsonb().$type<string[]>().notNull().default([]),
    blobHash: text().notNull(),
    size: integer().notNull(),
    internalDate: timestamp({ withTimezone: true }).notNull().defaultNow(),
    direction: text().$type<MessageDirection>().notNull().default("inbound"),
    messageIdHeader: text(),
    inReplyTo: text(),
    references: jsonb().$type<string[]>().notNull().default([]),
    subject: text().notNull().default(""),
    fromAddress: text(),
    fromName: text(),
    to: jsonb().$type<AddressJson[]>().notNull().default([]),
    cc: jsonb().$type<AddressJson[]>().notNull().default([]),
    date: timestamp({ withTimezone: true }),
    snippet: text().notNull().default(""),
    /** Plain-text body (capped) for search. */
    bodyText: text().notNull().default(""),
    /**
     * The distinct characters and character pairs of the searchable text (lower-cased, no
     * whitespace), so terms of 1–2 characters (請求, 納期), which have no trigram, are found by index.
     * Computed when the row is written (searchGramsOf in packages/core), not by PostgreSQL.
     */
    searchGrams: text().array().notNull().default(sql`'{}'::text[]`),
    hasAttachments: boolean().notNull().default(false),
    attachments: jsonb().$type<AttachmentJson[]>().notNull().default([]),
    /** Set when the message could not be parsed; kept raw and listed for admins to reprocess. */
    parseError: text(),
    /** SPF/DKIM/DMARC verdict recorded at SMTP time, for the UI badge. */
    authResults: jsonb().$type<Record<string, unknown>>(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("messages_mailbox_uid_idx").on(t.mailboxId, t.uid),
    index("messages_mailbox_modseq_idx").on(t.mailboxId, t.modseq),
    index("messages_inbox_msgid_idx").on(t.inboxId, t.messageIdHeader),
    index("messages_conversation_idx").on(t.conversationId, t.internalDate),
    index("messages_inbox_blob_idx").on(t.inboxId, t.blobHash),
    // Threading looks up the replies to a new message (they can arrive before it).
    index("messages_inbox_in_reply_to_idx").on(t.inboxId, t.inReplyTo),
    // fastupdate off: the lookup of every delivery searches it, and a pending list (up to 4 MB of
    // unsorted entries until a vacuum) made each search scan it: 3.5 ms per message at 30,000.
    index("messages_references_idx")
      .using("gin", t.references.op("jsonb_path_ops"))
      .with({ fastupdate: false }),
    index("messages_search_grams_col_idx").using("gin", t.searchGrams),
  ],
);

/** Per-user state in a (possibly shared) mailbox: \Seen, and POP3 DELE hiding. */
export const messageUserState = pgTable(
  "message_user_state",
  {
    messageId: bigint({ mode: "number" })
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    seen: boolean().notNull().default(false),
    hidden: boolean().notNull().default(false),
    modseq: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.userId] })],
);
