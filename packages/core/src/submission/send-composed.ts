import { changes, type DraftContent, type HeldCopy } from "@madoguchi/db/schema";
import { and, desc, eq, gt, sql } from "drizzle-orm";
import type { CoreContext } from "../context";
import { type Conversation, getConversation } from "../conversations/lock";
import { type ReplyConflict, tryRecordReply } from "../conversations/reply-guard";
import { deliver } from "../deliver/deliver";
import { AppError } from "../errors";
import {
  discardHeldOutbound,
  type OutboundMessage,
  queueHeldOnce,
  releaseOutbound,
  setOutboundReplySeq,
} from "../outbound/queue";
import { discardDraft } from "../web/drafts";
import { adoptNewDraft } from "../web/new-drafts";
import { holdSend } from "../web/undo-send";
import { type LocalSplit, splitLocal } from "./recipients";

/** What the message is, for the reply guard. */
export type SendTarget =
  /** An answer on a conversation, from the author's view (basedOnSeq): the guard decides. */
  | {
      kind: "reply";
      conversationId: number;
      basedOnSeq: number;
      override?: boolean;
      /** Kept as the refused draft when the guard says no. */
      draft?: DraftContent;
      /**
       * Look for this author's reply from the same view before guarding: a client that
       * resends after a crash between guard and release must not be refused by itself.
       */
      resumeRecorded?: boolean;
    }
  /** On a conversation but not an answer to the customer (a forward): no guard. */
  | { kind: "unguarded"; conversationId: number }
  /** Starts (or by subject finds) a conversation with its Sent copy; recorded as the team's reply there. */
  | { kind: "new" };

export interface ComposedSend {
  userId: number;
  /** The sending inbox (authorized by the caller: membership or the submission's send-as check). */
  inboxId: number;
  /** Final bytes (Message-ID fixed, signed): stored in Sent and queued exactly as given. */
  raw: Buffer;
  messageIdHeader: string;
  subject: string;
  mailFrom: string;
  /** To, Cc and Bcc (envelope recipients). */
  recipients: string[];
  /** Recorded on the outbound message: the view the author answered from, if any. */
  basedOnSeq: number | null;
  target: SendTarget;
  /** The author has read their own Sent copy (web sends). */
  seenByAuthor?: boolean;
  /**
   * Web sends: the end of the undo window (or the 送信予約) and the draft as sent. Until then
   * the draft is held (cancelHeldSend gives it back) and the rows wait; with no window (null)
   * the draft goes. Absent (SMTP submission): released at once and no web draft is touched.
   */
  hold?: {
    until: Date | null;
    draft: DraftContent;
    /** A new message's saved draft: it joins the conversation the send starts (with its files). */
    adoptDraftId?: number;
  };
}

export type ComposedResult =
  | {
      sent: true;
      /** This Message-ID was already sent from the inbox: nothing was queued twice. */
      duplicate: boolean;
      outboundId: number;
      conversationId: number | null;
      replySeq: number | null;
      sentMessageId: number | null;
      heldUntil: Date | null;
    }
  | { sent: false; conflict: ReplyConflict; conversation: Conversation };

/**
 * Every send a user makes, from the web composer or over SMTP submission:
 * 1. the message and its held queue rows in one transaction, under a fixed Message-ID;
 * 2. the send-time guard for a reply (tryRecordReply); refused → held rows dropped, the
 *    draft kept, the conflict returned;
 * 3. the Sent copy stored (threads into or starts the conversation), local recipients get
 *    theirs; a new conversation records the send as the team's reply there;
 * 4. the rows released to the delivery workers, for a web send not before its undo window
 *    ends (the time is in the rows, so it survives a restart).
 * Every step is idempotent, so a retry with the same Message-ID after a crash anywhere in
 * between resumes instead of sending twice or tripping over its own reply.
 */
export async function sendComposed(ctx: CoreContext, input: ComposedSend): Promise<ComposedResult> {
  const target = input.target;
  const before =
    target.kind === "new" ? null : await getConversation(ctx, target.conversationId, input.userId);
  const queued = await queueHeld(ctx, input);
  if (queued.duplicate) return queued.duplicate;
  const { outbound, local } = queued;
  const raw = queued.raw;

  let replySeq = outbound.replySeq;
  if (target.kind === "reply" && replySeq === null) {
    if (target.resumeRecorded) replySeq = await findRecordedReply(ctx, outbound, target);
    if (replySeq === null) {
      const guard = await tryRecordReply(ctx, {
        conversationId: target.conversationId,
        userId: input.userId,
        basedOnSeq: target.basedOnSeq,
        override: target.override,
        draft: target.draft,
      });
      if (!guard.sent) {
        await discardHeldOutbound(ctx, outbound.id);
        return { sent: false, conflict: guard.conflict, conversation: before as Conversation };
      }
      replySeq = guard.seq;
    }
    await setOutboundReplySeq(ctx, outbound.id, replySeq);
  }

  const sent = await storeCopies(ctx, input, raw, local);
  let statusBefore = before?.status ?? null;
  if (target.kind === "new" && sent.conversationId !== null) {
    const conversation = await getConversation(ctx, sent.conversationId, input.userId);
    statusBefore = conversation.status;
    if (replySeq === null) {
      const recorded = await tryRecordReply(ctx, {
        conversationId: sent.conversationId,
        userId: input.userId,
        basedOnSeq: Math.max(conversation.guardSeq, sent.seq),
      });
      if (recorded.sent) {
        replySeq = recorded.seq;
        await setOutboundReplySeq(ctx, outbound.id, replySeq);
      }
    }
  }
  const conversationId = before?.id ?? sent.conversationId;

  let heldUntil: Date | null = null;
  if (input.hold) {
    if (conversationId === null || statusBefore === null)
      throw new AppError("INVALID_INPUT", "The message could not be read back, so it was not sent");
    if (input.hold.adoptDraftId !== undefined)
      await adoptNewDraft(ctx, { userId: input.userId, draftId: input.hold.adoptDraftId, conversationId });
    heldUntil = input.hold.until;
    if (heldUntil)
      await holdSend(ctx, {
        outboundId: outbound.id,
        userId: input.userId,
        conversationId,
        replySeq,
        statusBefore,
        snoozeBefore: before?.snoozedUntil ? { until: before.snoozedUntil, by: before.snoozedBy } : null,
        basedOnSeq: input.basedOnSeq,
        draft: input.hold.draft,
        copies: sent.copies,
        releaseAt: heldUntil,
      });
    else await discardDraft(ctx, { userId: input.userId, conversationId });
  }
  // SMTP records where its Sent copy threaded (as it always did); a web send its own conversation.
  const releasedTo = input.hold ? conversationId : sent.conversationId;
  await releaseOutbound(ctx, outbound.id, { conversationId: releasedTo, replySeq }, heldUntil ?? undefined);
  return {
    sent: true,
    duplicate: false,
    outboundId: outbound.id,
    conversationId: releasedTo,
    replySeq,
    sentMessageId: sent.messageId,
    heldUntil,
  };
}

/**
 * Step 1, once per Message-ID. A resumed send keeps the bytes it queued first (same
 * Message-ID, same signature); one already released is a duplicate and nothing is queued.
 */
async function queueHeld(
  ctx: CoreContext,
  input: ComposedSend,
): Promise<
  | { duplicate: Extract<ComposedResult, { sent: true }> }
  | { duplicate: null; outbound: OutboundMessage; raw: Buffer; local: LocalSplit }
> {
  if (!input.recipients.length) throw new AppError("INVALID_INPUT", "A message needs at least one recipient");
  const local = await splitLocal(ctx, input.recipients);
  const queued = await queueHeldOnce(ctx, {
    inboxId: input.inboxId,
    senderUserId: input.userId,
    messageIdHeader: input.messageIdHeader,
    mailFrom: input.mailFrom,
    subject: input.subject,
    recipients: local.remote,
    basedOnSeq: input.basedOnSeq,
    raw: input.raw,
  });
  if (queued.released)
    return {
      duplicate: {
        sent: true,
        duplicate: true,
        outboundId: queued.message.id,
        conversationId: queued.message.conversationId,
        replySeq: queued.message.replySeq,
        sentMessageId: null,
        heldUntil: null,
      },
    };
  return { duplicate: null, outbound: queued.message, raw: queued.raw, local };
}

/** Step 3: the Sent copy and the local recipients' copies (kept for an undo). */
async function storeCopies(ctx: CoreContext, input: ComposedSend, raw: Buffer, local: LocalSplit) {
  const sent = await deliver(ctx, input.inboxId, raw, {
    mailbox: "Sent",
    direction: "outbound",
    actorId: input.userId,
    ...(input.seenByAuthor ? { seenBy: [input.userId] } : {}),
    mailFrom: input.mailFrom,
    rcptTo: input.recipients,
  });
  const copies: HeldCopy[] = [
    { inboxId: input.inboxId, mailboxId: sent.mailboxId, messageId: sent.messageId },
  ];
  for (const inbox of local.inboxes) {
    const copy = await deliver(ctx, inbox.id, raw, { mailFrom: input.mailFrom, rcptTo: [inbox.address] });
    copies.push({ inboxId: inbox.id, mailboxId: copy.mailboxId, messageId: copy.messageId });
  }
  return { messageId: sent.messageId, conversationId: sent.conversationId, seq: sent.seq, copies };
}

/** The reply this author recorded from the same view, if a crash cut the send short after it. */
async function findRecordedReply(
  ctx: CoreContext,
  outbound: OutboundMessage,
  target: { conversationId: number; basedOnSeq: number },
): Promise<number | null> {
  if (outbound.senderUserId === null) return null;
  const [row] = await ctx.db
    .select({ seq: changes.seq })
    .from(changes)
    .where(
      and(
        eq(changes.conversationId, target.conversationId),
        eq(changes.kind, "reply_sent"),
        eq(changes.actorId, outbound.senderUserId),
        gt(changes.seq, target.basedOnSeq),
        sql`(${changes.data}->>'basedOnSeq')::bigint = ${target.basedOnSeq}`,
      ),
    )
    .orderBy(desc(changes.seq))
    .limit(1);
  return row?.seq ?? null;
}
