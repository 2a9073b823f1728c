import { parseMessage } from "@madoguchi/mail/parse";
import type { CoreContext } from "../context";
import { describeConflict, type ReplyConflict } from "../conversations/reply-guard";
import { AppError } from "../errors";
import { findAnsweredMessage } from "./answered";
import { sendComposed } from "./send-composed";

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
 * Takes a message a user submitted over SMTP. If it answers a stored message (In-Reply-To /
 * References), the reply guard runs from the view derived from it; refused → the bytes are
 * kept as a refused draft and the conflict returned. Otherwise it starts (or threads into)
 * a conversation as a new message. The steps, and their idempotency, are sendComposed's,
 * shared with the web composer.
 */
export async function submitMessage(ctx: CoreContext, input: SubmissionInput): Promise<SubmissionResult> {
  const parsed = await parseMessage(input.raw);
  if (!parsed.messageId) throw new AppError("INVALID_INPUT", "A submitted message needs a Message-ID");
  const answered = await findAnsweredMessage(ctx.db, input.inboxId, parsed);
  const blob = await ctx.blobs.put(input.raw);
  const result = await sendComposed(ctx, {
    userId: input.userId,
    inboxId: input.inboxId,
    raw: input.raw,
    messageIdHeader: parsed.messageId,
    subject: parsed.subject,
    mailFrom: input.mailFrom,
    recipients: input.recipients,
    basedOnSeq: answered?.seenSeq ?? null,
    target: answered
      ? {
          kind: "reply",
          conversationId: answered.conversationId,
          basedOnSeq: answered.seenSeq,
          resumeRecorded: true,
          draft: {
            subject: parsed.subject,
            to: parsed.to.map((a) => a.address),
            cc: parsed.cc.map((a) => a.address),
            bodyText: parsed.text,
            rawBlobHash: blob.hash,
          },
        }
      : { kind: "new" },
  });
  if (!result.sent)
    return { accepted: false, conflict: result.conflict, text: describeConflict(result.conflict) };
  return {
    accepted: true,
    duplicate: result.duplicate,
    outboundId: result.outboundId,
    conversationId: result.conversationId,
    sentMessageId: result.sentMessageId,
  };
}
