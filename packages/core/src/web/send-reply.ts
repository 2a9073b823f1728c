import { type DraftContent, messages } from "@madoguchi/db/schema";
import { and, desc, eq, isNotNull } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";
import { type Conversation, getConversation } from "../conversations/lock";
import { tryRecordReply } from "../conversations/reply-guard";
import { deliver } from "../deliver/deliver";
import { getInbox, type Inbox } from "../directory/inboxes";
import { AppError } from "../errors";
import {
  discardHeldOutbound,
  enqueueOutbound,
  findOutboundByMessageId,
  releaseOutbound,
  setOutboundReplySeq,
} from "../outbound/queue";
import { splitLocal } from "../submission/recipients";
import { explainConflict, type ReplyConflictDetail } from "./conflict-detail";
import { discardDraft } from "./drafts";
import { markConversationRead } from "./read-state";
import { holdSend } from "./undo-send";

/** References kept when answering a long thread (the first and the newest ones matter). */
const MAX_REFERENCES = 20;

export interface ReplyContext {
  inbox: Inbox;
  conversation: Conversation;
  /** Message-ID the reply answers (newest customer message, else newest message), bare. */
  inReplyTo: string | null;
  references: string[];
  /** Default recipient: the customer. */
  customer: { name: string | null; address: string | null };
}

/** What a composer needs to build a reply: the From inbox and the threading headers. */
export async function replyContext(
  ctx: CoreContext,
  userId: number,
  conversationId: number,
): Promise<ReplyContext> {
  const conversation = await getConversation(ctx, conversationId, userId);
  const inbox = await getInbox(ctx.db, conversation.inboxId);
  const rows = await ctx.db
    .select({ id: messages.messageIdHeader, references: messages.references, direction: messages.direction })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), isNotNull(messages.messageIdHeader)))
    .orderBy(desc(messages.internalDate), desc(messages.id))
    .limit(50);
  const parent = rows.find((r) => r.direction === "inbound") ?? rows[0];
  const chain = parent?.id ? [...parent.references, parent.id] : [];
  const references =
    chain.length > MAX_REFERENCES ? [chain[0] as string, ...chain.slice(-(MAX_REFERENCES - 1))] : chain;
  return {
    inbox,
    conversation,
    inReplyTo: parent?.id ?? null,
    references,
    customer: { name: conversation.customerName, address: conversation.customerAddress },
  };
}

export interface WebReplyInput {
  userId: number;
  conversationId: number;
  /** The conversation's lastSeq as the author last saw it. */
  basedOnSeq: number;
  override?: boolean;
  /** Final bytes (Message-ID fixed, signed): stored in Sent and queued exactly as given. */
  raw: Buffer;
  messageIdHeader: string;
  subject: string;
  mailFrom: string;
  /** To, Cc and Bcc. */
  recipients: string[];
  /** Kept as a refused draft when the guard says no, and as the held draft during the undo window. */
  draft: DraftContent;
  /** The inbox's undo window: the queue rows wait this long and the author may cancel. 0 sends at once. */
  holdSeconds: number;
}

export type WebReplyResult =
  | {
      sent: true;
      /** This Message-ID was already sent from the inbox: nothing was queued twice. */
      duplicate: boolean;
      outboundId: number;
      replySeq: number | null;
      sentMessageId: number | null;
      /** End of the undo window (null: sent at once); cancelHeldSend works until then. */
      heldUntil: Date | null;
    }
  | { sent: false; conflict: ReplyConflictDetail };

/**
 * A reply from the web composer, the same steps as SMTP submission (submitMessage) but with
 * the author's own view (basedOnSeq) instead of one derived from In-Reply-To:
 * 1. the message and its held queue rows in one transaction, under a fixed Message-ID;
 * 2. the send-time guard (tryRecordReply); refused → held rows dropped, the draft kept,
 *    and the conflict explained with the other reply's text;
 * 3. the Sent copy stored (threads into the conversation), local recipients get theirs;
 * 4. the rows released to the delivery workers, not before the undo window ends (the
 *    window is in the rows, so it survives a restart; cancelHeldSend undoes 1–4 inside it).
 * A retry with the same Message-ID resumes where it stopped and never queues twice.
 *
 * The guard decides at send time, not when the window ends: during the window the reply
 * counts as sent, so a teammate's send is refused and shows this reply (as in yaritori or
 * Front, where an undo-able send is already "the answer"; the likely outcome is that it goes
 * out, and two answers are the harm the guard exists to prevent). If the author cancels,
 * a reply_cancelled entry takes it out of the guard: the teammate's next send goes through
 * without an override, and their refused draft is still there to send.
 */
export async function sendWebReply(ctx: CoreContext, input: WebReplyInput): Promise<WebReplyResult> {
  const conversation = await getConversation(ctx, input.conversationId, input.userId);
  const statusBefore = conversation.status;
  const inboxId = conversation.inboxId;
  if (!input.recipients.length) throw new AppError("INVALID_INPUT", "A reply needs at least one recipient");
  const local = await splitLocal(ctx, input.recipients);
  const found = await findOutboundByMessageId(ctx.db, inboxId, input.messageIdHeader);
  if (found?.message.releasedAt) {
    return {
      sent: true,
      duplicate: true,
      outboundId: found.message.id,
      replySeq: found.message.replySeq,
      sentMessageId: null,
      heldUntil: null,
    };
  }
  // A resumed send keeps the bytes it queued first (same Message-ID, same signature).
  const raw = found ? await ctx.blobs.get(found.message.blobHash) : input.raw;
  const blob = await ctx.blobs.put(raw);
  const outbound =
    found?.message ??
    (await enqueueOutbound(ctx, {
      inboxId,
      senderUserId: input.userId,
      messageIdHeader: input.messageIdHeader,
      mailFrom: input.mailFrom,
      blobHash: blob.hash,
      size: blob.size,
      subject: input.subject,
      recipients: local.remote,
      basedOnSeq: input.basedOnSeq,
      state: "held",
    }));
  let replySeq = outbound.replySeq;
  if (replySeq === null) {
    const guard = await tryRecordReply(ctx, {
      conversationId: conversation.id,
      userId: input.userId,
      basedOnSeq: input.basedOnSeq,
      override: input.override,
      draft: input.draft,
    });
    if (!guard.sent) {
      await discardHeldOutbound(ctx, outbound.id);
      return { sent: false, conflict: await explainConflict(ctx, conversation, guard.conflict) };
    }
    replySeq = guard.seq;
    await setOutboundReplySeq(ctx, outbound.id, replySeq);
  }
  const sent = await deliver(ctx, inboxId, raw, {
    mailbox: "Sent",
    direction: "outbound",
    actorId: input.userId,
    seenBy: [input.userId],
    mailFrom: input.mailFrom,
    rcptTo: input.recipients,
  });
  const copies = [{ inboxId, mailboxId: sent.mailboxId, messageId: sent.messageId }];
  for (const inbox of local.inboxes) {
    const copy = await deliver(ctx, inbox.id, raw, { mailFrom: input.mailFrom, rcptTo: [inbox.address] });
    copies.push({ inboxId: inbox.id, mailboxId: copy.mailboxId, messageId: copy.messageId });
  }
  const heldUntil = input.holdSeconds > 0 ? new Date(nowOf(ctx).getTime() + input.holdSeconds * 1000) : null;
  if (heldUntil) {
    await holdSend(ctx, {
      outboundId: outbound.id,
      userId: input.userId,
      conversationId: conversation.id,
      replySeq,
      statusBefore,
      draft: input.draft,
      copies,
      releaseAt: heldUntil,
    });
  } else {
    await discardDraft(ctx, { userId: input.userId, conversationId: conversation.id });
  }
  await releaseOutbound(
    ctx,
    outbound.id,
    { conversationId: conversation.id, replySeq },
    heldUntil ?? undefined,
  );
  await markConversationRead(ctx, { userId: input.userId, conversationId: conversation.id });
  return {
    sent: true,
    duplicate: false,
    outboundId: outbound.id,
    replySeq,
    sentMessageId: sent.messageId,
    heldUntil,
  };
}
