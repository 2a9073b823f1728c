import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { conversations } from "./conversations";
import { domains, inboxes, users } from "./directory";

/**
 * A message accepted for sending. Its bytes (DKIM-signed, with a fixed Message-ID) are a blob;
 * the row and its queue rows are written in one transaction, so a crash never leaves a message
 * half-queued, and the same Message-ID submitted twice from an inbox is queued once.
 */
export const outboundMessages = pgTable(
  "outbound_messages",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    inboxId: integer()
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    senderUserId: integer().references(() => users.id, { onDelete: "set null" }),
    conversationId: bigint({ mode: "number" }).references(() => conversations.id, { onDelete: "set null" }),
    /** Bare Message-ID (no angle brackets), fixed before the first delivery attempt. */
    messageIdHeader: text().notNull(),
    /** Envelope sender (MAIL FROM); bounces are about this address. */
    mailFrom: text().notNull(),
    blobHash: text().notNull(),
    size: integer().notNull(),
    subject: text().notNull().default(""),
    /** Change-log seq the sender's view was based on (reply guard), and the reply's seq once recorded. */
    basedOnSeq: bigint({ mode: "number" }),
    replySeq: bigint({ mode: "number" }),
    /** Set when the submission finished (Sent copy stored, rows released); a retry with the same Message-ID is then a duplicate. */
    releasedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("outbound_messages_inbox_msgid_idx").on(t.inboxId, t.messageIdHeader),
    // What one user sent in the last hour, for the sending limit (core/outbound/send-limit.ts).
    index("outbound_messages_sender_created_idx").on(t.senderUserId, t.createdAt),
  ],
);

/**
 * held: written, waiting for the reply guard (not claimable); queued: waiting for its next
 * attempt; sending: claimed by a worker until lockedUntil; sent; failed: permanent failure,
 * bounce not yet delivered; bounced: failure reported to the sender; cancelled: refused at
 * submission (the reply guard), never sent.
 */
export const deliveryStates = [
  "held",
  "queued",
  "sending",
  "sent",
  "failed",
  "bounced",
  "cancelled",
] as const;
export type DeliveryState = (typeof deliveryStates)[number];

/** What the remote side said about one recipient. */
export interface RecipientResult {
  code: number | null;
  status: string | null;
  response: string;
  remoteMta: string | null;
  at: string;
  /** Set when an administrator stopped the delivery (the bounce says so); absent otherwise. */
  cancelled?: true;
}

/** One delivery: the recipients of one message at one domain, tried together. */
export const outboundQueue = pgTable(
  "outbound_queue",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    outboundMessageId: bigint({ mode: "number" })
      .notNull()
      .references(() => outboundMessages.id, { onDelete: "cascade" }),
    domain: text().notNull(),
    recipients: jsonb().$type<string[]>().notNull(),
    state: text().$type<DeliveryState>().notNull().default("queued"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Lease of the worker that claimed the row; an expired lease makes it claimable again. */
    lockedUntil: timestamp({ withTimezone: true }),
    lastError: text(),
    /** Per recipient: the last answer from the remote side (for the DSN and the UI). */
    results: jsonb().$type<Record<string, RecipientResult>>().notNull().default({}),
    delayNotifiedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("outbound_queue_due_idx").on(t.state, t.nextAttemptAt),
    index("outbound_queue_message_idx").on(t.outboundMessageId),
  ],
);

/** DKIM signing keys, one active per domain; the public half is published as selector._domainkey. */
export const dkimKeys = pgTable(
  "dkim_keys",
  {
    id: serial().primaryKey(),
    domainId: integer()
      .notNull()
      .references(() => domains.id, { onDelete: "cascade" }),
    selector: text().notNull(),
    algorithm: text().$type<"rsa-sha256">().notNull().default("rsa-sha256"),
    privateKeyPem: text().notNull(),
    /** base64 DER SubjectPublicKeyInfo: the p= value of the DNS record. */
    publicKey: text().notNull(),
    active: boolean().notNull().default(true),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("dkim_keys_domain_selector_idx").on(t.domainId, t.selector)],
);

/**
 * When administrators were last told that a user reached the sending limit: at most once an
 * hour per user, however many sends the limit refuses meanwhile.
 */
export const sendLimitAlerts = pgTable("send_limit_alerts", {
  userId: integer()
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  alertedAt: timestamp({ withTimezone: true }).notNull(),
});
