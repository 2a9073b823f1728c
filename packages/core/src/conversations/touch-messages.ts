import type { Tx } from "@madoguchi/db/client";
import { mailboxes, messages } from "@madoguchi/db/schema";
import { eq, inArray } from "drizzle-orm";

/**
 * Gives every message of a conversation the modseq `seq`: status and assignee are shown to
 * IMAP clients as keywords on each message, so a change must reach them as FETCH FLAGS
 * (CONDSTORE clients ask for "changed since modseq").
 */
export async function touchConversationMessages(tx: Tx, conversationId: number, seq: number): Promise<void> {
  const touched = await tx
    .update(messages)
    .set({ modseq: seq })
    .where(eq(messages.conversationId, conversationId))
    .returning({ mailboxId: messages.mailboxId });
  await raiseFolderModseq(tx, touched, seq);
}

/** Records in the folders of the changed messages that they reached modseq `seq` (HIGHESTMODSEQ). */
export async function raiseFolderModseq(
  tx: Tx,
  changed: { mailboxId: number }[],
  seq: number,
): Promise<void> {
  const mailboxIds = [...new Set(changed.map((m) => m.mailboxId))];
  if (mailboxIds.length)
    await tx.update(mailboxes).set({ highestModseq: seq }).where(inArray(mailboxes.id, mailboxIds));
}
