import type { Tx } from "@madoguchi/db/client";
import { conversations, type MessageDirection, messages, messageUserState } from "@madoguchi/db/schema";
import { type ParsedMessage, parseMessage } from "@madoguchi/mail/parse";
import { normalizeSubject } from "@madoguchi/mail/threading";
import { and, eq, isNull, sql } from "drizzle-orm";
import { allocateSeq, insertChange } from "../changelog";
import { type CoreContext, nowOf } from "../context";
import { lockInbox } from "../conversations/lock";
import { applyStatus } from "../conversations/status";
import { AppError } from "../errors";
import { allocateUid, findMailbox } from "../mailboxes";
import { findConversation } from "./thread";

/** Keyword on mail that could not be parsed; admins list and reprocess such messages. */
export const PARSE_ERROR_KEYWORD = "$MadoguchiParseError";
/** Stored plain text per message, for search; the full text stays in the blob. */
const MAX_BODY_TEXT = 200_000;

export interface Envelope {
  mailFrom?: string | null;
  rcptTo?: string[];
  remoteAddress?: string;
  /** SPF/DKIM/DMARC verdict, stored for the UI badge. */
  authResults?: Record<string, unknown>;
  /** Target folder; INBOX by default. */
  mailbox?: string;
  direction?: MessageDirection;
  /** Initial shared flags (\Flagged, \Answered, \Draft); \Seen is per user and ignored here. */
  flags?: string[];
  /** Initial keywords (IMAP APPEND). */
  keywords?: string[];
  internalDate?: Date;
  actorId?: number | null;
  /** Users for whom the message starts \Seen (IMAP APPEND with \Seen, one's own sent mail). */
  seenBy?: number[];
  /**
   * Skip the "same Message-ID and bytes already in this inbox" check. IMAP APPEND and COPY
   * store what the client asked for, even twice; only deliveries from outside deduplicate.
   */
  allowDuplicate?: boolean;
}

export interface DeliverResult {
  messageId: number;
  conversationId: number | null;
  mailboxId: number;
  uid: number;
  seq: number;
  blobHash: string;
  duplicate: boolean;
}

interface Digest {
  parsed: ParsedMessage | null;
  parseError: string | null;
}

async function digest(raw: Buffer): Promise<Digest> {
  try {
    return { parsed: await parseMessage(raw), parseError: null };
  } catch (err) {
    return { parsed: null, parseError: err instanceof Error ? err.message : String(err) };
  }
}

function customerOf(
  parsed: ParsedMessage,
  direction: MessageDirection,
): { address: string | null; name: string | null } {
  const party = direction === "inbound" ? (parsed.replyTo[0] ?? parsed.from) : parsed.to[0];
  return { address: party?.address?.toLowerCase() || null, name: party?.name || null };
}

/**
 * Takes a message into an inbox: blob stored and fsynced → parsed → one transaction
 * (message row, conversation created or updated, change-log entries) → resolves only after
 * commit, so a caller that answers "250"/"OK" after it never loses mail. The same message
 * (same Message-ID and bytes) delivered twice to an inbox is stored once.
 * Unparseable mail is kept raw in the folder, flagged with PARSE_ERROR_KEYWORD and without a
 * conversation, for an admin to reprocess.
 */
export async function deliver(
  ctx: CoreContext,
  inboxId: number,
  raw: Buffer,
  envelope: Envelope = {},
): Promise<DeliverResult> {
  if (raw.length === 0) throw new AppError("INVALID_INPUT", "Empty message");
  const blob = await ctx.blobs.put(raw);
  const { parsed, parseError } = await digest(raw);
  const direction = envelope.direction ?? "inbound";
  const now = nowOf(ctx);
  return ctx.db.transaction(async (tx) => {
    // The inbox counter row lock serializes writers of this inbox: the duplicate check below
    // cannot race, and sequence numbers are taken in commit order.
    await lockInbox(tx, inboxId);
    const mailbox = await findMailbox(tx, inboxId, envelope.mailbox ?? "INBOX");
    const messageIdHeader = parsed?.messageId ?? null;
    const [existing] = envelope.allowDuplicate
      ? []
      : await tx
          .select()
          .from(messages)
          .where(
            and(
              eq(messages.inboxId, inboxId),
              eq(messages.blobHash, blob.hash),
              messageIdHeader === null
                ? isNull(messages.messageIdHeader)
                : eq(messages.messageIdHeader, messageIdHeader),
            ),
          )
          .limit(1);
    if (existing) {
      return {
        messageId: existing.id,
        conversationId: existing.conversationId,
        mailboxId: existing.mailboxId,
        uid: existing.uid,
        seq: existing.modseq,
        blobHash: blob.hash,
        duplicate: true,
      };
    }
    const conversationId = parsed
      ? await upsertConversation(tx, inboxId, parsed, direction, now, envelope.actorId ?? null)
      : null;
    const seq = await allocateSeq(tx, inboxId);
    const uid = await allocateUid(tx, mailbox.id, seq);
    const flags = (envelope.flags ?? []).filter((f) => f !== "\\Seen" && f !== "\\Recent");
    const [row] = await tx
      .insert(messages)
      .values({
        inboxId,
        mailboxId: mailbox.id,
        conversationId,
        uid,
        modseq: seq,
        flags,
        keywords: [...(envelope.keywords ?? []), ...(parseError ? [PARSE_ERROR_KEYWORD] : [])],
        blobHash: blob.hash,
        size: blob.size,
        internalDate: envelope.internalDate ?? now,
        direction,
        messageIdHeader,
        ...(parsed ? messageFields(parsed) : { subject: "" }),
        parseError,
        authResults: envelope.authResults ?? null,
      })
      .returning({ id: messages.id });
    if (!row) throw new Error("insert into messages returned nothing");
    if (envelope.seenBy?.length) {
      await tx
        .insert(messageUserState)
        .values(envelope.seenBy.map((userId) => ({ messageId: row.id, userId, seen: true, modseq: seq })));
    }
    await insertChange(tx, seq, {
      inboxId,
      kind: "message_added",
      conversationId,
      messageId: row.id,
      mailboxId: mailbox.id,
      actorId: envelope.actorId ?? null,
      data: { uid, direction, mailbox: mailbox.name, ...(parseError ? { parseError } : {}) },
    });
    if (conversationId !== null)
      await touchConversation(tx, conversationId, seq, direction, envelope.internalDate ?? now);
    return {
      messageId: row.id,
      conversationId,
      mailboxId: mailbox.id,
      uid,
      seq,
      blobHash: blob.hash,
      duplicate: false,
    };
  });
}

export function messageFields(parsed: ParsedMessage) {
  return {
    inReplyTo: parsed.inReplyTo,
    references: parsed.references,
    subject: parsed.subject,
    fromAddress: parsed.from?.address?.toLowerCase() ?? null,
    fromName: parsed.from?.name ?? null,
    to: parsed.to,
    cc: parsed.cc,
    date: parsed.date,
    snippet: parsed.snippet,
    bodyText: parsed.text.slice(0, MAX_BODY_TEXT),
    hasAttachments: parsed.attachments.some((a) => !a.inline),
    attachments: parsed.attachments,
  };
}

/** Finds or creates the conversation; a customer writing again reopens a done/waiting one. */
export async function upsertConversation(
  tx: Tx,
  inboxId: number,
  parsed: ParsedMessage,
  direction: MessageDirection,
  now: Date,
  actorId: number | null,
): Promise<number> {
  const customer = customerOf(parsed, direction);
  const found = await findConversation(tx, inboxId, parsed, customer.address, now);
  if (found !== null) {
    const [conversation] = await tx
      .select()
      .from(conversations)
      .where(eq(conversations.id, found))
      .for("update");
    if (
      conversation &&
      direction === "inbound" &&
      (conversation.status === "done" || conversation.status === "waiting")
    ) {
      await applyStatus(tx, conversation, "open", null, "customer_wrote");
    }
    return found;
  }
  const [created] = await tx
    .insert(conversations)
    .values({
      inboxId,
      subject: parsed.subject,
      normalizedSubject: normalizeSubject(parsed.subject),
      customerAddress: customer.address,
      customerName: customer.name,
    })
    .returning({ id: conversations.id });
  if (!created) throw new Error("insert into conversations returned nothing");
  const seq = await allocateSeq(tx, inboxId);
  await insertChange(tx, seq, { inboxId, kind: "conversation_created", conversationId: created.id, actorId });
  return created.id;
}

export async function touchConversation(
  tx: Tx,
  conversationId: number,
  seq: number,
  direction: MessageDirection,
  at: Date,
): Promise<void> {
  await tx
    .update(conversations)
    .set({
      messageCount: sql`${conversations.messageCount} + 1`,
      lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${at.toISOString()}::timestamptz)`,
      lastSeq: seq,
      // A new customer message makes any reply drafted before it stale.
      ...(direction === "inbound"
        ? {
            guardSeq: seq,
            lastInboundAt: sql`greatest(${conversations.lastInboundAt}, ${at.toISOString()}::timestamptz)`,
          }
        : {
            lastOutboundAt: sql`greatest(${conversations.lastOutboundAt}, ${at.toISOString()}::timestamptz)`,
          }),
    })
    .where(eq(conversations.id, conversationId));
}
