import { assertInboxAccess } from "../authz";
import type { CoreContext } from "../context";
import { sendComposed } from "../submission/send-composed";
import { markConversationRead } from "./read-state";
import { assertInboxAddress } from "./reply-from";
import { type WebSendBase, webSend } from "./send-reply";

export interface WebNewInput extends WebSendBase {
  /** The shared address it is sent from; the user must be a member. */
  inboxId: number;
  /** The saved new-message draft (its files are in raw already); held with the send, then gone. */
  draftId?: number;
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
  await assertInboxAddress(ctx.db, input.inboxId, input.mailFrom);
  const result = await sendComposed(ctx, {
    ...webSend(input),
    ...(input.draftId !== undefined
      ? { hold: { until: input.heldUntil, draft: input.draft, adoptDraftId: input.draftId } }
      : {}),
    inboxId: input.inboxId,
    basedOnSeq: null,
    target: { kind: "new" },
  });
  if (!result.sent) throw new Error("a new message has no reply guard to refuse it");
  if (!result.duplicate && result.conversationId !== null)
    await markConversationRead(ctx, { userId: input.userId, conversationId: result.conversationId });
  return {
    duplicate: result.duplicate,
    outboundId: result.outboundId,
    conversationId: result.conversationId,
    sentMessageId: result.sentMessageId,
    heldUntil: result.heldUntil,
  };
}
