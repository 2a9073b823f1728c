import {
  AppError,
  DEFAULT_UNDO_SECONDS,
  type DraftFile,
  heldUntilFor,
  type Inbox,
  nowOf,
  type ReplyContext,
  type Sender,
  sendWebReply,
  setStatus,
} from "@madoguchi/core";
import type { DraftContent } from "@madoguchi/db/schema";
import type { z } from "zod";
import { composeReply } from "../mail/compose-reply";
import type { AuthedContext } from "../trpc";
import { iso } from "../view/iso";
import type { messageInput } from "./reply.types";

type MessageInput = z.infer<typeof messageInput>;

/** The draft kept for a refused or held send: what the composer restores. */
export function draftOf(input: MessageInput, extra: Partial<DraftContent> = {}): DraftContent {
  return {
    subject: input.subject,
    to: input.to.map((r) => r.address),
    cc: input.cc.map((r) => r.address),
    bcc: input.bcc.map((r) => r.address),
    bodyText: input.bodyText,
    ...(input.bodyHtml ? { bodyHtml: input.bodyHtml, format: "markdown" as const } : {}),
    ...extra,
  };
}

/** How long the server holds a web send: the inbox's undo window, or until its 送信予約. */
export function heldUntilOf(ctx: AuthedContext, inbox: Inbox, sendAt: string | undefined): Date | null {
  return heldUntilFor(
    inbox.settings.undoSendSeconds ?? DEFAULT_UNDO_SECONDS,
    sendAt ? new Date(sendAt) : undefined,
    nowOf(ctx.ctx),
  );
}

/** Composes, signs with the sending address's domain key, and returns the bytes and Message-ID. */
export async function buildMessage(
  ctx: AuthedContext,
  from: Sender,
  input: MessageInput & { clientMutationId?: string },
  thread: { inReplyTo: string | null; references: string[]; scope: string },
  attachments: DraftFile[],
) {
  const { deps } = ctx.runtime;
  const composed = await composeReply({
    from,
    ...thread,
    hostname: deps.hostname,
    userId: ctx.user.id,
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    subject: input.subject,
    bodyText: input.bodyText,
    bodyHtml: input.bodyHtml,
    attachments,
    clientMutationId: input.clientMutationId,
    now: new Date(),
  });
  // An alias at another domain (info@example.jp) signs with that domain's key, as DMARC aligns on From.
  const domain = from.address.slice(from.address.lastIndexOf("@") + 1);
  const raw = deps.signOutbound ? await deps.signOutbound(composed.raw, domain) : composed.raw;
  const recipients = [...input.to, ...input.cc, ...input.bcc].map((r) => r.address);
  return { raw, messageId: composed.messageId, recipients };
}

/**
 * A reply or a forward on a conversation: built, sent through sendWebReply (guard, undo
 * window), then the chosen status. A refused reply is a REPLY_CONFLICT with the details.
 */
export async function sendOnConversation(
  ctx: AuthedContext,
  context: ReplyContext,
  input: MessageInput & {
    conversationId: number;
    basedOnSeq: number;
    override: boolean;
    clientMutationId?: string;
  },
  how: {
    /** A reply: context.from (the address the customer wrote to); a forward: the inbox itself. */
    from: Sender;
    thread: { inReplyTo: string | null; references: string[]; scope: string };
    attachments: DraftFile[];
    guard: boolean;
    draft: DraftContent;
  },
) {
  const built = await buildMessage(ctx, how.from, input, how.thread, how.attachments);
  const result = await sendWebReply(ctx.ctx, {
    userId: ctx.user.id,
    conversationId: input.conversationId,
    basedOnSeq: input.basedOnSeq,
    override: input.override,
    guard: how.guard,
    raw: built.raw,
    messageIdHeader: built.messageId,
    subject: input.subject,
    mailFrom: how.from.address,
    recipients: built.recipients,
    draft: how.draft,
    heldUntil: heldUntilOf(ctx, context.inbox, input.sendAt),
  });
  if (!result.sent) {
    const { at, ...rest } = result.conflict;
    throw new AppError("REPLY_CONFLICT", result.conflict.description, {
      conflict: { ...rest, at: iso(at) },
    });
  }
  ctx.runtime.deps.onQueued?.();
  if (input.statusAfter)
    await setStatus(ctx.ctx, {
      conversationId: input.conversationId,
      userId: ctx.user.id,
      status: input.statusAfter,
    });
  return {
    sent: true as const,
    duplicate: result.duplicate,
    outboundId: result.outboundId,
    messageId: built.messageId,
    replySeq: result.replySeq,
    /** Until then reply.cancel gives the draft back; after it the workers send it. */
    heldUntil: result.heldUntil ? iso(result.heldUntil) : null,
  };
}
