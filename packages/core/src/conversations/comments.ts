import type { Tx } from "@madoguchi/db/client";
import { comments, conversations, inboxMembers, users } from "@madoguchi/db/schema";
import { and, eq } from "drizzle-orm";
import { recordChange } from "../changelog";
import type { CoreContext } from "../context";
import { AppError } from "../errors";
import { type Conversation, getConversation, withConversation } from "./lock";

export type Comment = typeof comments.$inferSelect;

/** Longest chat message accepted; longer text belongs in a file or a note elsewhere. */
export const MAX_COMMENT_LENGTH = 10_000;

// "@tanaka" or "@tanaka@example.co.jp": the autocomplete inserts the local part or the address.
const MENTION_RE = /(?:^|[\s(（、。])@([A-Za-z0-9._%+-]+(?:@[A-Za-z0-9.-]+)?)/g;

async function resolveMentions(
  tx: Tx,
  inboxId: number,
  body: string,
  explicitIds: number[],
): Promise<number[]> {
  const members = await tx
    .select({ id: users.id, email: users.email })
    .from(inboxMembers)
    .innerJoin(users, eq(users.id, inboxMembers.userId))
    .where(eq(inboxMembers.inboxId, inboxId));
  const ids = new Set<number>();
  for (const match of body.matchAll(MENTION_RE)) {
    const token = (match[1] ?? "").toLowerCase();
    const member = members.find((m) => {
      const email = m.email.toLowerCase();
      return email === token || email.split("@")[0] === token;
    });
    if (member) ids.add(member.id);
  }
  for (const id of explicitIds) {
    if (!members.some((m) => m.id === id))
      throw new AppError("INVALID_INPUT", "Only members of this inbox can be mentioned");
    ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

function checkBody(body: string): string {
  const text = body.trim();
  if (!text) throw new AppError("INVALID_INPUT", "A comment cannot be empty");
  if (text.length > MAX_COMMENT_LENGTH)
    throw new AppError("INVALID_INPUT", `Comments are limited to ${MAX_COMMENT_LENGTH} characters`);
  return text;
}

/** A comment is team activity: it moves the reply guard, so a reply drafted before it is re-checked. */
async function touch(tx: Tx, conversation: Conversation, seq: number, guard: boolean): Promise<void> {
  await tx
    .update(conversations)
    .set(guard ? { lastSeq: seq, guardSeq: seq } : { lastSeq: seq })
    .where(eq(conversations.id, conversation.id));
}

export async function addComment(
  ctx: CoreContext,
  input: { conversationId: number; userId: number; body: string; mentionIds?: number[] },
): Promise<Comment> {
  const body = checkBody(input.body);
  return withConversation(ctx, input.conversationId, input.userId, async (tx, conversation) => {
    const mentions = await resolveMentions(tx, conversation.inboxId, body, input.mentionIds ?? []);
    const [comment] = await tx
      .insert(comments)
      .values({ conversationId: conversation.id, authorId: input.userId, body, mentions })
      .returning();
    if (!comment) throw new Error("insert into comments returned nothing");
    const seq = await recordChange(tx, {
      inboxId: conversation.inboxId,
      kind: "comment_added",
      conversationId: conversation.id,
      actorId: input.userId,
      data: { commentId: comment.id, mentions },
    });
    await touch(tx, conversation, seq, true);
    return comment;
  });
}

async function ownComment(
  tx: Tx,
  commentId: number,
  conversationId: number,
  userId: number,
): Promise<Comment> {
  const [comment] = await tx
    .select()
    .from(comments)
    .where(and(eq(comments.id, commentId), eq(comments.conversationId, conversationId)));
  if (!comment || comment.deletedAt) throw new AppError("NOT_FOUND", "No such comment");
  if (comment.authorId !== userId) throw new AppError("FORBIDDEN", "You can only change your own comments");
  return comment;
}

export async function editComment(
  ctx: CoreContext,
  input: { conversationId: number; commentId: number; userId: number; body: string },
): Promise<Comment> {
  const body = checkBody(input.body);
  return withConversation(ctx, input.conversationId, input.userId, async (tx, conversation) => {
    await ownComment(tx, input.commentId, conversation.id, input.userId);
    const mentions = await resolveMentions(tx, conversation.inboxId, body, []);
    const [comment] = await tx
      .update(comments)
      .set({ body, mentions, editedAt: new Date() })
      .where(eq(comments.id, input.commentId))
      .returning();
    if (!comment) throw new Error("update of comments returned nothing");
    const seq = await recordChange(tx, {
      inboxId: conversation.inboxId,
      kind: "comment_edited",
      conversationId: conversation.id,
      actorId: input.userId,
      data: { commentId: comment.id },
    });
    await touch(tx, conversation, seq, false);
    return comment;
  });
}

/** Soft delete: the row stays for the audit trail, the text is cleared. */
export async function deleteComment(
  ctx: CoreContext,
  input: { conversationId: number; commentId: number; userId: number },
): Promise<void> {
  await withConversation(ctx, input.conversationId, input.userId, async (tx, conversation) => {
    await ownComment(tx, input.commentId, conversation.id, input.userId);
    await tx
      .update(comments)
      .set({ body: "", deletedAt: new Date() })
      .where(eq(comments.id, input.commentId));
    const seq = await recordChange(tx, {
      inboxId: conversation.inboxId,
      kind: "comment_deleted",
      conversationId: conversation.id,
      actorId: input.userId,
      data: { commentId: input.commentId },
    });
    await touch(tx, conversation, seq, false);
  });
}

export async function listComments(
  ctx: CoreContext,
  conversationId: number,
  userId: number,
): Promise<Comment[]> {
  await getConversation(ctx, conversationId, userId);
  return ctx.db
    .select()
    .from(comments)
    .where(eq(comments.conversationId, conversationId))
    .orderBy(comments.id);
}
