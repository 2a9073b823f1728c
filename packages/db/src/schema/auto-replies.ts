import { sql } from "drizzle-orm";
import { bigint, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { conversations } from "./conversations";
import { inboxes } from "./directory";

export const autoReplyStates = ["pending", "sent", "skipped"] as const;
export type AutoReplyState = (typeof autoReplyStates)[number];

/** Why a new inquiry got no 自動返信 (RFC 3834's cases, and our own). */
export const autoReplySkipReasons = [
  /** Auto-Submitted, Precedence bulk/list/junk, X-Auto-Response-Suppress: another machine wrote it. */
  "automated",
  /** List-Id / List-Unsubscribe: a mailing list. */
  "list",
  /** A mailer-daemon, postmaster or noreply address. */
  "no_reply_address",
  /** One of our own addresses: two inboxes must not answer each other forever. */
  "local_sender",
  /** DMARC failed, or SPF and DKIM did: the From is likely forged, and the reply would go to a bystander. */
  "auth_failed",
  /** Marked junk by then. */
  "junk",
  /** The same address got one from this inbox within the hour (RFC 3834 §2: not every time). */
  "recently_replied",
  /** Switched off by the time it was to be sent. */
  "disabled",
  /** The inquiry was deleted first. */
  "gone",
  /** It came within business hours, and the inbox answers only outside them (not logged). */
  "business_hours",
] as const;
export type AutoReplySkipReason = (typeof autoReplySkipReasons)[number];

/**
 * 自動返信: one row per conversation a customer's mail started in an inbox with auto-reply on,
 * written in the delivery's own transaction (so a crash after the 250 neither loses nor repeats
 * it), then sent or skipped by the server's auto-replier.
 */
export const autoReplies = pgTable(
  "auto_replies",
  {
    conversationId: bigint({ mode: "number" })
      .primaryKey()
      .references(() => conversations.id, { onDelete: "cascade" }),
    inboxId: integer()
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    /**
     * The customer's message that started the conversation. No foreign key (nor on outboundId):
     * every expunge and queue purge would have to look here first.
     */
    messageId: bigint({ mode: "number" }),
    /** SMTP MAIL FROM of that message. */
    mailFrom: text().notNull(),
    state: text().$type<AutoReplyState>().notNull().default("pending"),
    reason: text().$type<AutoReplySkipReason>(),
    /** Where it went, once sent. */
    recipient: text(),
    outboundId: bigint({ mode: "number" }),
    /** A server process working on it until then; another takes it over after. */
    claimedUntil: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    doneAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("auto_replies_pending_idx").on(t.createdAt).where(sql`${t.state} = 'pending'`),
    index("auto_replies_recipient_idx").on(t.inboxId, sql`lower(${t.recipient})`, t.doneAt),
  ],
);
