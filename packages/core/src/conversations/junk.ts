import type { Tx } from "@madoguchi/db/client";
import { conversations, mailboxes, messages, type SpecialUse } from "@madoguchi/db/schema";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { recordChange } from "../changelog";
import type { CoreContext } from "../context";
import { AppError } from "../errors";
import { copyRows } from "../mailstore/copy";
import { type Conversation, withConversation } from "./lock";

// 迷惑メール. A conversation is junk when the mail that started it was quarantined into the Junk
// folder (a DNS blocklist, a DMARC p=reject failure) or when a user says so. Junk conversations
// are kept out of the status lists and counts and listed on their own, as yaritori and Front do,
// so spam does not sit among 未対応. The Junk folder is what mail clients see of it: marking a
// conversation moves its mail there, and a mail client moving a message out of Junk (its "not
// junk") takes the conversation back into the lists.

type Folder = { specialUse: SpecialUse | null };

export const isJunkFolder = (folder: Folder): boolean => folder.specialUse === "\\Junk";

/** A message placed in such a folder makes its conversation not junk; Trash is where junk is thrown. */
export const clearsJunk = (folder: Folder): boolean =>
  folder.specialUse !== "\\Junk" && folder.specialUse !== "\\Trash";

/**
 * Marks a conversation as 迷惑メール (its customer mail in INBOX moves to Junk) or takes it back
 * (its mail in Junk moves to INBOX), and logs who did it. A reply already sent stays in Sent.
 * Members only; no-op when it is already so.
 */
export async function setJunk(
  ctx: CoreContext,
  input: { conversationId: number; userId: number; junk: boolean },
): Promise<{ seq: number | null; moved: number }> {
  return withConversation(ctx, input.conversationId, input.userId, async (tx, conversation) => {
    if (conversation.junk === input.junk) return { seq: null, moved: 0 };
    const boxes = await tx.select().from(mailboxes).where(eq(mailboxes.inboxId, conversation.inboxId));
    const junkBox = boxes.find(isJunkFolder);
    const inbox = boxes.find((b) => b.specialUse === "\\Inbox");
    if (!junkBox || !inbox)
      throw new AppError("NOT_FOUND", `Inbox ${conversation.inboxId} has no INBOX or Junk folder`);
    const [from, to] = input.junk ? [inbox, junkBox] : [junkBox, inbox];
    const sources = await tx
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, conversation.id), eq(messages.mailboxId, from.id)))
      .orderBy(asc(messages.uid));
    await copyRows(tx, { sources, from, to, actorId: input.userId, move: true });
    const seq = await markJunk(tx, conversation, input.junk, input.userId, null);
    return { seq, moved: sources.length };
  });
}

/**
 * After a mail client copied or moved messages into `to` (inbox locked): out of Junk into a
 * folder of its own, their conversations are no longer junk; into Junk, a conversation with no
 * mail left anywhere but Junk and Trash becomes junk (a reply sent keeps it in the lists).
 */
export async function followJunkFolder(
  tx: Tx,
  input: { conversationIds: number[]; to: Folder; actorId: number },
): Promise<void> {
  if (!input.conversationIds.length) return;
  const junk = isJunkFolder(input.to);
  if (!junk && !clearsJunk(input.to)) return;
  const found = await tx
    .select()
    .from(conversations)
    .where(
      and(
        inArray(conversations.id, input.conversationIds),
        eq(conversations.junk, !junk),
        junk
          ? sql`not exists (select 1 from ${messages} m join ${mailboxes} b on b.id = m.mailbox_id
              where m.conversation_id = ${conversations.id}
                and b.special_use is distinct from '\\Junk' and b.special_use is distinct from '\\Trash')`
          : undefined,
      ),
    )
    .orderBy(asc(conversations.id))
    .for("update");
  for (const conversation of found) await markJunk(tx, conversation, junk, input.actorId, "moved");
}

async function markJunk(
  tx: Tx,
  conversation: Conversation,
  junk: boolean,
  actorId: number,
  reason: "moved" | null,
): Promise<number> {
  const seq = await recordChange(tx, {
    inboxId: conversation.inboxId,
    kind: "junk_changed",
    conversationId: conversation.id,
    actorId,
    data: { junk, ...(reason ? { reason } : {}) },
  });
  await tx.update(conversations).set({ junk, lastSeq: seq }).where(eq(conversations.id, conversation.id));
  return seq;
}
