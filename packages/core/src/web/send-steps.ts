import type { ConversationStatus, DraftContent, HeldCopy } from "@madoguchi/db/schema";
import { type CoreContext, nowOf } from "../context";
import { deliver } from "../deliver/deliver";
import { AppError } from "../errors";
import {
  enqueueOutbound,
  findOutboundByMessageId,
  type OutboundMessage,
  releaseOutbound,
} from "../outbound/queue";
import { type LocalSplit, splitLocal } from "../submission/recipients";
import { discardDraft } from "./drafts";
import { holdSend } from "./undo-send";

/** What every web send carries, whatever it answers. */
export interface WebSendBase {
  userId: number;
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

export interface AlreadySent {
  duplicate: true;
  outboundId: number;
  replySeq: number | null;
  sentMessageId: null;
  heldUntil: null;
}

/**
 * Step 1: the message and its held queue rows, once per Message-ID. A resumed send keeps the
 * bytes it queued first (same Message-ID, same signature); one already released is reported
 * as a duplicate and nothing is queued again.
 */
export async function queueHeld(
  ctx: CoreContext,
  inboxId: number,
  input: WebSendBase & { basedOnSeq: number | null },
): Promise<
  | { duplicate: AlreadySent; conversationId: number | null }
  | { duplicate: null; outbound: OutboundMessage; raw: Buffer; local: LocalSplit }
> {
  if (!input.recipients.length) throw new AppError("INVALID_INPUT", "A message needs at least one recipient");
  const local = await splitLocal(ctx, input.recipients);
  const found = await findOutboundByMessageId(ctx.db, inboxId, input.messageIdHeader);
  if (found?.message.releasedAt)
    return {
      duplicate: {
        duplicate: true,
        outboundId: found.message.id,
        replySeq: found.message.replySeq,
        sentMessageId: null,
        heldUntil: null,
      },
      conversationId: found.message.conversationId,
    };
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
  return { duplicate: null, outbound, raw, local };
}

/** Step 3: the Sent copy (threads into or starts the conversation) and the local recipients' copies. */
export async function storeCopies(
  ctx: CoreContext,
  inboxId: number,
  raw: Buffer,
  input: WebSendBase,
  local: LocalSplit,
) {
  const sent = await deliver(ctx, inboxId, raw, {
    mailbox: "Sent",
    direction: "outbound",
    actorId: input.userId,
    seenBy: [input.userId],
    mailFrom: input.mailFrom,
    rcptTo: input.recipients,
  });
  const copies: HeldCopy[] = [{ inboxId, mailboxId: sent.mailboxId, messageId: sent.messageId }];
  for (const inbox of local.inboxes) {
    const copy = await deliver(ctx, inbox.id, raw, { mailFrom: input.mailFrom, rcptTo: [inbox.address] });
    copies.push({ inboxId: inbox.id, mailboxId: copy.mailboxId, messageId: copy.messageId });
  }
  return { messageId: sent.messageId, conversationId: sent.conversationId, seq: sent.seq, copies };
}

/**
 * Step 4: inside an undo window the draft becomes the held copy of what was sent (with its
 * files) and the rows wait until the window ends; without one the draft goes. Then the rows
 * are released to the delivery workers. Returns the end of the window.
 */
export async function holdAndRelease(
  ctx: CoreContext,
  input: WebSendBase,
  sent: {
    outboundId: number;
    conversationId: number;
    replySeq: number | null;
    statusBefore: ConversationStatus;
    copies: HeldCopy[];
  },
): Promise<Date | null> {
  const heldUntil = input.holdSeconds > 0 ? new Date(nowOf(ctx).getTime() + input.holdSeconds * 1000) : null;
  if (heldUntil) {
    await holdSend(ctx, {
      outboundId: sent.outboundId,
      userId: input.userId,
      conversationId: sent.conversationId,
      replySeq: sent.replySeq,
      statusBefore: sent.statusBefore,
      draft: input.draft,
      copies: sent.copies,
      releaseAt: heldUntil,
    });
  } else {
    await discardDraft(ctx, { userId: input.userId, conversationId: sent.conversationId });
  }
  await releaseOutbound(
    ctx,
    sent.outboundId,
    { conversationId: sent.conversationId, replySeq: sent.replySeq },
    heldUntil ?? undefined,
  );
  return heldUntil;
}
