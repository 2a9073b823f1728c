import { assertInboxAccess } from "../authz";
import type { CoreContext } from "../context";
import { getConversation } from "../conversations/lock";
import { tryRecordReply } from "../conversations/reply-guard";
import { setOutboundReplySeq } from "../outbound/queue";
import { markConversationRead } from "./read-state";
import { holdAndRelease, queueHeld, storeCopies, type WebSendBase } from "./send-steps";

export interface WebNewInput extends WebSendBase {
  /** The shared address it is sent from; the user must be a member. */
  inboxId: number;
}

export interface WebNewResult {
  duplicate: boolean;
  outboundId: number;
  conversationId: number | null;
  sentMessageId: number | null;
  heldUntil: Date | null;
}

/**
 * 新規作成: a message from a shared address that starts a conversation of its own. Its Sent
 * copy creates the conversation (the first To is the customer); the send is then recorded as
 * the team's reply there, as an SMTP submission of a new message is, so the status moves and
 * a teammate answering the customer's first response sees it. Same queue, undo window and
 * idempotency as a reply.
 */
export async function sendWebNew(ctx: CoreContext, input: WebNewInput): Promise<WebNewResult> {
  await assertInboxAccess(ctx.db, input.userId, input.inboxId);
  const queued = await queueHeld(ctx, input.inboxId, { ...input, basedOnSeq: null });
  if (queued.duplicate) return { ...queued.duplicate, conversationId: queued.conversationId };
  const { outbound, raw } = queued;
  const sent = await storeCopies(ctx, input.inboxId, raw, input, queued.local);
  if (sent.conversationId === null) throw new Error("the Sent copy of a new message started no conversation");
  const conversation = await getConversation(ctx, sent.conversationId, input.userId);
  let replySeq = outbound.replySeq;
  if (replySeq === null) {
    const recorded = await tryRecordReply(ctx, {
      conversationId: conversation.id,
      userId: input.userId,
      basedOnSeq: Math.max(conversation.guardSeq, sent.seq),
    });
    if (recorded.sent) {
      replySeq = recorded.seq;
      await setOutboundReplySeq(ctx, outbound.id, replySeq);
    }
  }
  const heldUntil = await holdAndRelease(ctx, input, {
    outboundId: outbound.id,
    conversationId: conversation.id,
    replySeq,
    statusBefore: conversation.status,
    copies: sent.copies,
  });
  await markConversationRead(ctx, { userId: input.userId, conversationId: conversation.id });
  return {
    duplicate: false,
    outboundId: outbound.id,
    conversationId: conversation.id,
    sentMessageId: sent.messageId,
    heldUntil,
  };
}
