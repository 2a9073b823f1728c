import type { DraftContent } from "@madoguchi/db/schema";
import { messages } from "@madoguchi/db/schema";
import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { CoreContext } from "../context";
import { type Conversation, getConversation } from "../conversations/lock";
import { getInbox, type Inbox } from "../directory/inboxes";
import { sendComposed } from "../submission/send-composed";
import { explainConflict, type ReplyConflictDetail } from "./conflict-detail";
import { markConversationRead } from "./read-state";
import { assertInboxAddress, replySender, type Sender } from "./reply-from";

/** References kept when answering a long thread (the first and the newest ones matter). */
const MAX_REFERENCES = 20;

export interface ReplyContext {
  inbox: Inbox;
  conversation: Conversation;
  /** Who the reply goes out from: the address the customer wrote to (a forward: inboxSender). */
  from: Sender;
  /** Message-ID the reply answers (newest customer message, else newest message), bare. */
  inReplyTo: string | null;
  references: string[];
  /** Default recipient: the customer. */
  customer: { name: string | null; address: string | null };
}

/** What a composer needs to build a reply: the inbox, its sender and the threading headers. */
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
    from: await replySender(ctx.db, inbox, conversationId),
    inReplyTo: parent?.id ?? null,
    references,
    customer: { name: conversation.customerName, address: conversation.customerAddress },
  };
}

/** What every web send carries, whatever it answers. */
export interface WebSendBase {
  userId: number;
  /** Final bytes (Message-ID fixed, signed): stored in Sent and queued exactly as given. */
  raw: Buffer;
  messageIdHeader: string;
  subject: string;
  /** The address the From header has: the inbox's or one of its aliases (checked). */
  mailFrom: string;
  /** To, Cc and Bcc. */
  recipients: string[];
  /** Kept as a refused draft when the guard says no, and as the held draft during the undo window. */
  draft: DraftContent;
  /** The end of the undo window or the 送信予約 (heldUntilFor): the queue rows wait until then and the author may cancel. null sends at once. */
  heldUntil: Date | null;
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
 * A reply (or forward) from the web composer: sendComposed's steps, as for SMTP submission,
 * but with the author's own view (basedOnSeq) instead of one derived from In-Reply-To, the
 * undo window (cancelHeldSend undoes it all inside the window) and, when refused, the
 * conflict explained with the other reply's text.
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
  await assertInboxAddress(ctx.db, conversation.inboxId, input.mailFrom);
  const result = await sendComposed(ctx, {
    ...webSend(input),
    inboxId: conversation.inboxId,
    basedOnSeq: input.basedOnSeq,
    target:
      input.guard === false
        ? { kind: "unguarded", conversationId: conversation.id }
        : {
            kind: "reply",
            conversationId: conversation.id,
            basedOnSeq: input.basedOnSeq,
            override: input.override,
            draft: input.draft,
          },
  });
  if (!result.sent)
    return { sent: false, conflict: await explainConflict(ctx, result.conversation, result.conflict) };
  if (!result.duplicate)
    await markConversationRead(ctx, { userId: input.userId, conversationId: conversation.id });
  return {
    sent: true,
    duplicate: result.duplicate,
    outboundId: result.outboundId,
    replySeq: result.replySeq,
    sentMessageId: result.sentMessageId,
    heldUntil: result.heldUntil,
  };
}

/** The parts of a web send that do not depend on what it answers. */
export const webSend = (input: WebSendBase) => ({
  userId: input.userId,
  raw: input.raw,
  messageIdHeader: input.messageIdHeader,
  subject: input.subject,
  mailFrom: input.mailFrom,
  recipients: input.recipients,
  seenByAuthor: true,
  hold: { until: input.heldUntil, draft: input.draft },
});
