import { changes, comments, messages, outboundMessages } from "@madoguchi/db/schema";
import { parseMessage } from "@madoguchi/mail/parse";
import { and, desc, eq, isNull, or } from "drizzle-orm";
import type { CoreContext } from "../context";
import type { Conversation } from "../conversations/lock";
import { describeConflict, type ReplyConflict } from "../conversations/reply-guard";

/** Longest excerpt of the conflicting reply/comment/message handed back with a refusal. */
const MAX_CONFLICT_TEXT = 20_000;

/** A refusal as the author sees it: who did what when, and what they wrote. */
export interface ReplyConflictDetail extends ReplyConflict {
  /** One sentence in English, as the SMTP path says it. */
  description: string;
  /** The other reply, the comment, or the customer's new message. */
  text: string;
  subject: string | null;
}

/**
 * Finds the text behind a conflict. A reply is found through its outbound row (replySeq, or
 * the same author and basedOnSeq while the sender is still between the guard and recording
 * replySeq), a comment through the change's commentId, a customer message directly.
 */
export async function explainConflict(
  ctx: CoreContext,
  conversation: Conversation,
  conflict: ReplyConflict,
): Promise<ReplyConflictDetail> {
  const base = { ...conflict, description: describeConflict(conflict) };
  const [change] = await ctx.db
    .select()
    .from(changes)
    .where(and(eq(changes.inboxId, conversation.inboxId), eq(changes.seq, conflict.seq)));
  if (!change) return { ...base, text: "", subject: null };
  if (change.kind === "comment_added" && typeof change.data.commentId === "number") {
    const [c] = await ctx.db
      .select({ body: comments.body })
      .from(comments)
      .where(eq(comments.id, change.data.commentId));
    return { ...base, text: clip(c?.body ?? ""), subject: null };
  }
  if (change.kind === "message_added" && change.messageId !== null) {
    const [m] = await ctx.db
      .select({ text: messages.bodyText, subject: messages.subject })
      .from(messages)
      .where(eq(messages.id, change.messageId));
    return { ...base, text: clip(m?.text ?? ""), subject: m?.subject ?? null };
  }
  if (change.kind === "reply_sent") {
    const basedOn = typeof change.data.basedOnSeq === "number" ? change.data.basedOnSeq : null;
    const [out] = await ctx.db
      .select({ blobHash: outboundMessages.blobHash, subject: outboundMessages.subject })
      .from(outboundMessages)
      .where(
        and(
          eq(outboundMessages.inboxId, conversation.inboxId),
          or(
            eq(outboundMessages.replySeq, change.seq),
            change.actorId !== null && basedOn !== null
              ? and(
                  isNull(outboundMessages.replySeq),
                  eq(outboundMessages.senderUserId, change.actorId),
                  eq(outboundMessages.basedOnSeq, basedOn),
                )
              : undefined,
          ),
        ),
      )
      .orderBy(desc(outboundMessages.replySeq), desc(outboundMessages.id))
      .limit(1);
    if (out) {
      try {
        const parsed = await parseMessage(await ctx.blobs.get(out.blobHash));
        return { ...base, text: clip(parsed.text), subject: out.subject };
      } catch {
        return { ...base, text: "", subject: out.subject };
      }
    }
  }
  return { ...base, text: "", subject: null };
}

const clip = (s: string) => (s.length > MAX_CONFLICT_TEXT ? `${s.slice(0, MAX_CONFLICT_TEXT)}…` : s);
