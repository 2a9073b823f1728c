import type { Tx } from "@madoguchi/db/client";
import {
  conversationReads,
  conversations,
  mailboxes,
  messages,
  messageUserState,
} from "@madoguchi/db/schema";
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { allocateSeq, insertChange } from "../changelog";
import type { Conversation } from "../conversations/lock";

/*
 * The web app's read state and IMAP \Seen are one state per user:
 * - reading a conversation in the web sets the user's \Seen on its messages;
 * - "mark unread" in the web clears the user's \Seen on its messages;
 * - \Seen set from IMAP on the last unseen message of a conversation makes it read in the web;
 * - \Seen cleared from IMAP on any of its messages makes it unread in the web.
 * Unread in the web can still mean more than IMAP shows (a teammate's comment has no message).
 */

/**
 * Sets (or clears) this user's \Seen on a conversation's messages, in the caller's transaction
 * holding the inbox lock. When reading, only messages the user could have seen (`upToSeq`)
 * are marked. Writes one change row, so IMAP IDLE and CONDSTORE clients see the flags move.
 * Returns the seq, or null when nothing changed.
 */
export async function setConversationSeen(
  tx: Tx,
  input: { userId: number; conversation: Conversation; seen: boolean; upToSeq?: number },
): Promise<number | null> {
  const { conversation, userId } = input;
  // lastSeq moves with every message added, so a view at or past it saw every message. An
  // older view marks messages last changed by then (a later flag change on one leaves it unseen).
  const stale = input.seen && input.upToSeq !== undefined && input.upToSeq < conversation.lastSeq;
  const rows = await tx
    .select({ id: messages.id, mailboxId: messages.mailboxId })
    .from(messages)
    .leftJoin(
      messageUserState,
      and(eq(messageUserState.messageId, messages.id), eq(messageUserState.userId, userId)),
    )
    .where(
      and(
        eq(messages.conversationId, conversation.id),
        sql`coalesce(${messageUserState.seen}, false) <> ${input.seen}`,
        stale ? lte(messages.modseq, input.upToSeq as number) : undefined,
      ),
    );
  if (!rows.length) return null;
  const seq = await allocateSeq(tx, conversation.inboxId);
  await tx
    .insert(messageUserState)
    .values(rows.map((r) => ({ messageId: r.id, userId, seen: input.seen, modseq: seq })))
    .onConflictDoUpdate({
      target: [messageUserState.messageId, messageUserState.userId],
      set: { seen: input.seen, modseq: seq },
    });
  const mailboxIds = [...new Set(rows.map((r) => r.mailboxId))];
  await tx.update(mailboxes).set({ highestModseq: seq }).where(inArray(mailboxes.id, mailboxIds));
  await insertChange(tx, seq, {
    inboxId: conversation.inboxId,
    kind: "message_seen",
    conversationId: conversation.id,
    mailboxId: mailboxIds.length === 1 ? mailboxIds[0] : null,
    actorId: userId,
    data: { messageIds: rows.map((r) => r.id), seen: input.seen },
  });
  return seq;
}

/**
 * IMAP \Seen → web read state, after a STORE changed this user's \Seen (caller's transaction).
 * `seenAdded`: conversations where a message became \Seen (read once none is left unseen);
 * `seenRemoved`: conversations where one lost \Seen (unread).
 */
export async function readStateFromSeen(
  tx: Tx,
  userId: number,
  seenAdded: number[],
  seenRemoved: number[],
): Promise<void> {
  const removed = new Set(seenRemoved);
  const added = seenAdded.filter((id) => !removed.has(id));
  if (removed.size) {
    await tx
      .insert(conversationReads)
      .values([...removed].map((conversationId) => ({ conversationId, userId, readSeq: 0 })))
      .onConflictDoUpdate({
        target: [conversationReads.conversationId, conversationReads.userId],
        set: { readSeq: 0 },
      });
  }
  if (!added.length) return;
  const allSeen = await tx
    .select({ id: conversations.id, lastSeq: conversations.lastSeq })
    .from(conversations)
    .where(
      and(
        inArray(conversations.id, added),
        sql`not exists (select 1 from ${messages} m
          left join ${messageUserState} s on s.message_id = m.id and s.user_id = ${userId}
          where m.conversation_id = ${conversations.id} and not coalesce(s.seen, false))`,
      ),
    );
  if (!allSeen.length) return;
  await tx
    .insert(conversationReads)
    .values(allSeen.map((c) => ({ conversationId: c.id, userId, readSeq: c.lastSeq })))
    .onConflictDoUpdate({
      target: [conversationReads.conversationId, conversationReads.userId],
      set: { readSeq: sql`greatest(${conversationReads.readSeq}, excluded.read_seq)` },
    });
}
