import { messages } from "@madoguchi/db/schema";
import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { CoreContext } from "../context";
import { type Conversation, getConversation } from "../conversations/lock";
import { tryRecordReply } from "../conversations/reply-guard";
import { getInbox, type Inbox } from "../directory/inboxes";
import { discardHeldOutbound, setOutboundReplySeq } from "../outbound/queue";
import { explainConflict, type ReplyConflictDetail } from "./conflict-detail";
import { markConversationRead } from "./read-state";
import { holdAndRelease, queueHeld, storeCopies, type WebSendBase } from "./send-steps";

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

export interface WebReplyInput extends WebSendBase {
  conversationId: number;
  /** The conversation's lastSeq as the author last saw it. */
  basedOnSeq: number;
  override?: boolean;
  /**
   * false for a forward: it goes to a third party (accounting, a supplier), not to the
   * customer, so it is neither refused by nor counted in the reply guard; otherwise
   * forwarding a mail to a colleague would block the team's real answer.
   */
  guard?: boolean;
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
 * A reply (or forward) from the web composer, the same steps as SMTP submission
 * (submitMessage) but with the author's own view (basedOnSeq) instead of one derived from
 * In-Reply-To:
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
  const queued = await queueHeld(ctx, conversation.inboxId, input);
  if (queued.duplicate) return { sent: true, ...queued.duplicate };
  const { outbound, raw } = queued;
  let replySeq = outbound.replySeq;
  if (replySeq === null && input.guard !== false) {
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
  const sent = await storeCopies(ctx, conversation.inboxId, raw, input, queued.local);
  const heldUntil = await holdAndRelease(ctx, input, {
    outboundId: outbound.id,
    conversationId: conversation.id,
    replySeq,
    statusBefore,
    copies: sent.copies,
  });
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
