import { comments, conversations, notifications, users } from "@madoguchi/db/schema";
import { and, desc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";
import { addComment, type Comment, editComment } from "../conversations/comments";
import { getConversation } from "../conversations/lock";
import { AppError } from "../errors";

export type Notification = typeof notifications.$inferSelect;

export interface NotificationView extends Notification {
  actorName: string | null;
  subject: string;
}

const EXCERPT_LENGTH = 140;
const MAX_LIST = 100;

async function notifyMentions(
  ctx: CoreContext,
  comment: Comment,
  inboxId: number,
  userIds: number[],
): Promise<NotificationView[]> {
  const targets = [...new Set(userIds)].filter((id) => id !== comment.authorId);
  if (!targets.length) return [];
  const excerpt = comment.body.replace(/\s+/g, " ").slice(0, EXCERPT_LENGTH);
  const rows = await ctx.db
    .insert(notifications)
    .values(
      targets.map((userId) => ({
        userId,
        kind: "mention" as const,
        inboxId,
        conversationId: comment.conversationId,
        commentId: comment.id,
        actorId: comment.authorId,
        excerpt,
        createdAt: nowOf(ctx),
      })),
    )
    .returning();
  const [actor] = await ctx.db.select({ name: users.name }).from(users).where(eq(users.id, comment.authorId));
  const [conv] = await ctx.db
    .select({ subject: conversations.subject })
    .from(conversations)
    .where(eq(conversations.id, comment.conversationId));
  return rows.map((r) => ({ ...r, actorName: actor?.name ?? null, subject: conv?.subject ?? "" }));
}

/**
 * Posts to a conversation's chat and notifies the members it @mentions. The notifications are
 * written right after the comment's transaction; the comment itself is what the change log
 * and the reply guard see.
 */
export async function postComment(
  ctx: CoreContext,
  input: { conversationId: number; userId: number; body: string; mentionIds?: number[] },
): Promise<{ comment: Comment; notifications: NotificationView[] }> {
  const comment = await addComment(ctx, input);
  const conversation = await getConversation(ctx, input.conversationId, input.userId);
  return {
    comment,
    notifications: await notifyMentions(ctx, comment, conversation.inboxId, comment.mentions),
  };
}

/** Edits one's own comment; only people newly mentioned by the edit are notified. */
export async function editOwnComment(
  ctx: CoreContext,
  input: { conversationId: number; commentId: number; userId: number; body: string },
): Promise<{ comment: Comment; notifications: NotificationView[] }> {
  const [before] = await ctx.db
    .select({ mentions: comments.mentions })
    .from(comments)
    .where(eq(comments.id, input.commentId));
  const comment = await editComment(ctx, input);
  const conversation = await getConversation(ctx, input.conversationId, input.userId);
  const added = comment.mentions.filter((id) => !(before?.mentions ?? []).includes(id));
  return { comment, notifications: await notifyMentions(ctx, comment, conversation.inboxId, added) };
}

/** A user's notifications, newest first (keyset on id). */
export async function listNotifications(
  ctx: CoreContext,
  userId: number,
  opts: { unreadOnly?: boolean; beforeId?: number; limit?: number } = {},
): Promise<{ items: NotificationView[]; unread: number }> {
  const limit = Math.min(Math.max(opts.limit ?? 30, 1), MAX_LIST);
  const rows = await ctx.db
    .select({ n: notifications, actorName: users.name, subject: conversations.subject })
    .from(notifications)
    .leftJoin(users, eq(users.id, notifications.actorId))
    .leftJoin(conversations, eq(conversations.id, notifications.conversationId))
    .where(
      and(
        eq(notifications.userId, userId),
        opts.unreadOnly ? isNull(notifications.readAt) : undefined,
        opts.beforeId !== undefined ? lt(notifications.id, opts.beforeId) : undefined,
      ),
    )
    .orderBy(desc(notifications.id))
    .limit(limit);
  const [count] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return {
    items: rows.map((r) => ({ ...r.n, actorName: r.actorName, subject: r.subject ?? "" })),
    unread: count?.n ?? 0,
  };
}

/** Marks some (ids) or all of the user's notifications read; others' ids are ignored. */
export async function markNotificationsRead(
  ctx: CoreContext,
  userId: number,
  ids: number[] | "all",
): Promise<{ updated: number }> {
  if (ids !== "all" && !ids.length) return { updated: 0 };
  if (ids !== "all" && ids.length > 1000) throw new AppError("INVALID_INPUT", "At most 1000 at a time");
  const rows = await ctx.db
    .update(notifications)
    .set({ readAt: nowOf(ctx) })
    .where(
      and(
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        ids === "all" ? undefined : inArray(notifications.id, ids),
      ),
    )
    .returning({ id: notifications.id });
  return { updated: rows.length };
}
