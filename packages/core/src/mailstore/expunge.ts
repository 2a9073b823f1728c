import type { Tx } from "@madoguchi/db/client";
import { expungedMessages, mailboxes, messages } from "@madoguchi/db/schema";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { allocateSeq, insertChange } from "../changelog";
import type { CoreContext } from "../context";
import { lockInbox } from "../conversations/lock";
import { mailboxForUser } from "./folders";

/**
 * Removes rows from a folder inside the caller's transaction (inbox already locked): one
 * modseq for the whole removal, a tombstone per UID for QRESYNC's VANISHED, one change row.
 * The blobs stay (other rows or folders may point at them).
 */
export async function removeMessages(
  tx: Tx,
  input: {
    inboxId: number;
    mailboxId: number;
    messageIds: number[];
    actorId: number | null;
    reason: "expunge" | "move";
  },
): Promise<{ uids: number[]; seq: number | null }> {
  if (!input.messageIds.length) return { uids: [], seq: null };
  const seq = await allocateSeq(tx, input.inboxId);
  const removed = await tx
    .delete(messages)
    .where(and(eq(messages.mailboxId, input.mailboxId), inArray(messages.id, input.messageIds)))
    .returning({ uid: messages.uid });
  const uids = removed.map((r) => r.uid).sort((a, b) => a - b);
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
    data: { uids, reason: input.reason },
  });
  return { uids, seq };
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
