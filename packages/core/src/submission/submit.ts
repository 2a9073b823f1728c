import { changes } from "@madoguchi/db/schema";
import { parseMessage } from "@madoguchi/mail/parse";
import { and, desc, eq, gt, sql } from "drizzle-orm";
import type { CoreContext } from "../context";
import { getConversation } from "../conversations/lock";
import { describeConflict, type ReplyConflict, tryRecordReply } from "../conversations/reply-guard";
import { deliver } from "../deliver/deliver";
import { AppError } from "../errors";
import {
  discardHeldOutbound,
  enqueueOutbound,
  findOutboundByMessageId,
  type OutboundMessage,
  releaseOutbound,
  setOutboundReplySeq,
} from "../outbound/queue";
import { type AnsweredMessage, findAnsweredMessage } from "./answered";
import { splitLocal } from "./recipients";

export interface SubmissionInput {
  userId: number;
  /** The sending inbox, as inboxForSender returned it for the From address. */
  inboxId: number;
  /** Final bytes: Message-ID present, DKIM-signed; stored, queued and sent exactly as given. */
  raw: Buffer;
  mailFrom: string;
  recipients: string[];
}

export type SubmissionResult =
  | {
      accepted: true;
      /** The same Message-ID was already accepted from this inbox: nothing was queued twice. */
      duplicate: boolean;
      outboundId: number | null;
      conversationId: number | null;
      sentMessageId: number | null;
    }
  | { accepted: false; conflict: ReplyConflict; text: string };

/**
 * Takes a message a user submitted (SMTP submission today, the web composer later):
 * 1. held queue rows are written (message + rows in one transaction, fixed Message-ID);
 * 2. if it answers a stored message, the send-time reply guard runs; refused → the bytes are
 *    kept as a refused draft, the held rows dropped, and the conflict returned;
 * 3. the Sent copy is stored (and threads into the conversation), local recipients get theirs;
 * 4. the rows are released to the delivery workers.
 * Every step is idempotent, so a client retrying after a crash anywhere in between resumes
 * instead of sending twice or tripping over its own reply.
 */
export async function submitMessage(ctx: CoreContext, input: SubmissionInput): Promise<SubmissionResult> {
  const parsed = await parseMessage(input.raw);
  if (!parsed.messageId) throw new AppError("INVALID_INPUT", "A submitted message needs a Message-ID");
  const local = await splitLocal(ctx, input.recipients);
  const found = await findOutboundByMessageId(ctx.db, input.inboxId, parsed.messageId);
  if (found?.message.releasedAt) {
    return {
      accepted: true,
      duplicate: true,
      outboundId: found.message.id,
      conversationId: found.message.conversationId,
      sentMessageId: null,
    };
  }
  const answered = await findAnsweredMessage(ctx.db, input.inboxId, parsed);
  const blob = await ctx.blobs.put(input.raw);
  const outbound =
    found?.message ??
    (await enqueueOutbound(ctx, {
      inboxId: input.inboxId,
      senderUserId: input.userId,
      messageIdHeader: parsed.messageId,
      mailFrom: input.mailFrom,
      blobHash: blob.hash,
      size: blob.size,
      subject: parsed.subject,
      recipients: local.remote,
      basedOnSeq: answered?.seenSeq ?? null,
      state: "held",
    }));

  let replySeq = outbound.replySeq ?? (await findRecordedReply(ctx, outbound, answered));
  if (answered && replySeq === null) {
    const guard = await tryRecordReply(ctx, {
      conversationId: answered.conversationId,
      userId: input.userId,
      basedOnSeq: answered.seenSeq,
      draft: {
        subject: parsed.subject,
        to: parsed.to.map((a) => a.address),
        cc: parsed.cc.map((a) => a.address),
        bodyText: parsed.text,
        rawBlobHash: blob.hash,
      },
    });
    if (!guard.sent) {
      await discardHeldOutbound(ctx, outbound.id);
      return { accepted: false, conflict: guard.conflict, text: describeConflict(guard.conflict) };
    }
    replySeq = guard.seq;
    await setOutboundReplySeq(ctx, outbound.id, replySeq);
  }

  const sent = await deliver(ctx, input.inboxId, input.raw, {
    mailbox: "Sent",
    direction: "outbound",
    actorId: input.userId,
    mailFrom: input.mailFrom,
    rcptTo: input.recipients,
  });
  if (!answered && replySeq === null && sent.conversationId !== null) {
    // A new conversation started by us (or one found by subject): the send is still a reply
    // in the team's log, and moves the status as a reply from the web app would.
    const conversation = await getConversation(ctx, sent.conversationId, input.userId);
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
  for (const inbox of local.inboxes) {
    await deliver(ctx, inbox.id, input.raw, { mailFrom: input.mailFrom, rcptTo: [inbox.address] });
  }
  await releaseOutbound(ctx, outbound.id, { conversationId: sent.conversationId, replySeq });
  return {
    accepted: true,
    duplicate: false,
    outboundId: outbound.id,
    conversationId: sent.conversationId,
    sentMessageId: sent.messageId,
  };
}

/**
 * After a crash between the guard and the release, the retried submission must not be
 * refused by its own reply: the reply this user recorded from the same view is found here.
 */
async function findRecordedReply(
  ctx: CoreContext,
  outbound: OutboundMessage,
  answered: AnsweredMessage | undefined,
): Promise<number | null> {
  if (!answered || outbound.senderUserId === null) return null;
  const [row] = await ctx.db
    .select({ seq: changes.seq })
    .from(changes)
    .where(
      and(
        eq(changes.conversationId, answered.conversationId),
        eq(changes.kind, "reply_sent"),
        eq(changes.actorId, outbound.senderUserId),
        gt(changes.seq, answered.seenSeq),
        sql`(${changes.data}->>'basedOnSeq')::bigint = ${answered.seenSeq}`,
      ),
    )
    .orderBy(desc(changes.seq))
    .limit(1);
  return row?.seq ?? null;
}
