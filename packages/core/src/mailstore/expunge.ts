import type { Tx } from "@madoguchi/db/client";
import { comments, conversations, drafts, expungedMessages, mailboxes, messages } from "@madoguchi/db/schema";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { allocateSeq, insertChange } from "../changelog";
import type { CoreContext } from "../context";
import { lockInbox } from "../conversations/lock";
import { mailboxForUser } from "./folders";

/**
 * Removes rows from a folder inside the caller's transaction (inbox already locked): one
 * modseq for the whole removal, a tombstone per UID for QRESYNC's VANISHED, one change row.
 * The blobs stay (other rows or folders may point at them). The conversations the rows were in
 * are recounted, and one left with nothing is removed (settleConversations).
 */
export async function removeMessages(
  tx: Tx,
  input: {
    inboxId: number;
    mailboxId: number;
    messageIds: number[];
    actorId: number | null;
    reason: "expunge" | "move";
    /** Conversations the caller settles itself (an undone send's own): recounted, never deleted. */
    keep?: number[];
  },
): Promise<{ uids: number[]; seq: number | null; conversationsRemoved: number[] }> {
  if (!input.messageIds.length) return { uids: [], seq: null, conversationsRemoved: [] };
  const seq = await allocateSeq(tx, input.inboxId);
  const removed = await tx
    .delete(messages)
    .where(and(eq(messages.mailboxId, input.mailboxId), inArray(messages.id, input.messageIds)))
    .returning({ uid: messages.uid, conversationId: messages.conversationId });
  const uids = removed.map((r) => r.uid).sort((a, b) => a - b);
  const conversationsRemoved = await settleConversations(tx, conversationIdsOf(removed), input.keep);
  if (uids.length) {
    await tx
      .insert(expungedMessages)
      .values(uids.map((uid) => ({ mailboxId: input.mailboxId, uid, modseq: seq })))
      .onConflictDoNothing();
  }
  await tx.update(mailboxes).set({ highestModseq: seq }).where(eq(mailboxes.id, input.mailboxId));
  await insertChange(tx, seq, {
    inboxId: input.inboxId,
    kind: "message_expunged",
    mailboxId: input.mailboxId,
    actorId: input.actorId,
    data: { uids, reason: input.reason, ...(conversationsRemoved.length ? { conversationsRemoved } : {}) },
  });
  return { uids, seq, conversationsRemoved };
}

export const conversationIdsOf = (rows: { conversationId: number | null }[]): number[] => [
  ...new Set(rows.flatMap((r) => (r.conversationId === null ? [] : [r.conversationId]))),
];

/**
 * After messages left them: each conversation's message count is taken again (each stored
 * mail once, as the conversation view shows it: a copy in another folder is the same mail), and
 * a conversation left with no message, no teammate's comment and no draft is deleted, so lists
 * do not show an empty row after a mail client deleted its mail. One that keeps a comment or a
 * draft stays, with a count of 0: nobody's words are lost. Returns the deleted ids. Runs under
 * the inbox lock, like every writer of these rows.
 */
export async function settleConversations(
  tx: Tx,
  conversationIds: number[],
  keep: number[] = [],
): Promise<number[]> {
  if (!conversationIds.length) return [];
  const counted = await tx
    .update(conversations)
    .set({
      messageCount: sql`(select count(distinct (m.blob_hash, coalesce(m.message_id_header, '')))::int
        from ${messages} m where m.conversation_id = ${conversations.id})`,
    })
    .where(inArray(conversations.id, conversationIds))
    .returning({ id: conversations.id, messageCount: conversations.messageCount });
  const emptied = counted.filter((c) => c.messageCount === 0).map((c) => c.id);
  if (!emptied.length) return [];
  const kept = new Set<number>(keep);
  const talked = await tx
    .selectDistinct({ id: comments.conversationId })
    .from(comments)
    .where(and(inArray(comments.conversationId, emptied), isNull(comments.deletedAt)));
  const drafted = await tx
    .selectDistinct({ id: drafts.conversationId })
    .from(drafts)
    .where(inArray(drafts.conversationId, emptied));
  for (const row of [...talked, ...drafted]) if (row.id !== null) kept.add(row.id);
  const doomed = emptied.filter((id) => !kept.has(id));
  if (doomed.length) await tx.delete(conversations).where(inArray(conversations.id, doomed));
  return doomed;
}

/** IMAP EXPUNGE / UID EXPUNGE / CLOSE: removes \Deleted messages (only `uids`, when given). */
export async function expunge(
  ctx: CoreContext,
  input: { userId: number; mailboxId: number; uids?: number[] },
): Promise<{ uids: number[]; modseq: number | null }> {
  const mailbox = await mailboxForUser(ctx.db, input.userId, input.mailboxId);
  return ctx.db.transaction(async (tx) => {
    await lockInbox(tx, mailbox.inboxId);
    const doomed = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(
        and(
          eq(messages.mailboxId, input.mailboxId),
          sql`${messages.flags} ? '\\Deleted'`,
          input.uids ? inArray(messages.uid, input.uids.length ? input.uids : [-1]) : undefined,
        ),
      )
      .orderBy(asc(messages.uid));
    const { uids, seq } = await removeMessages(tx, {
      inboxId: mailbox.inboxId,
      mailboxId: input.mailboxId,
      messageIds: doomed.map((d) => d.id),
      actorId: input.userId,
      reason: "expunge",
    });
    return { uids, modseq: seq };
  });
}
