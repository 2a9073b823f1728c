import {
  type Comment,
  deleteComment,
  editOwnComment,
  type NotificationView,
  postComment,
} from "@madoguchi/core";
import { z } from "zod";
import { type ApiContext, applyOnce, createRouter, protectedProcedure } from "../trpc";
import { iso, isoOrNull } from "../view/iso";
import { pushNotifications } from "../view/notification";

const id = z.number().int().positive();
const clientMutationId = z.string().min(1).max(100).optional();
const body = z.string().min(1).max(10_000);

const commentView = (c: Comment) => ({
  id: c.id,
  conversationId: c.conversationId,
  authorId: c.authorId,
  body: c.body,
  mentions: c.mentions,
  createdAt: iso(c.createdAt),
  editedAt: isoOrNull(c.editedAt),
  deleted: c.deletedAt !== null,
});

const push = (ctx: ApiContext, notifications: NotificationView[]) =>
  pushNotifications(ctx.runtime.events, notifications);

/** The conversation's internal chat: never sent to the customer. */
export const commentRouter = createRouter({
  /** "@tanaka" / "@tanaka@example.co.jp" in the text, or mentionIds, notify those members. */
  add: protectedProcedure
    .input(
      z.object({ conversationId: id, body, mentionIds: z.array(id).max(50).optional(), clientMutationId }),
    )
    .mutation(({ ctx, input, path }) =>
      applyOnce(ctx, path, input.clientMutationId, async () => {
        const r = await postComment(ctx.ctx, { ...input, userId: ctx.user.id });
        push(ctx, r.notifications);
        return commentView(r.comment);
      }),
    ),

  /** Own comments only; newly mentioned members are notified. */
  edit: protectedProcedure
    .input(z.object({ conversationId: id, commentId: id, body, clientMutationId }))
    .mutation(({ ctx, input, path }) =>
      applyOnce(ctx, path, input.clientMutationId, async () => {
        const r = await editOwnComment(ctx.ctx, { ...input, userId: ctx.user.id });
        push(ctx, r.notifications);
        return commentView(r.comment);
      }),
    ),

  /** Own comments only; the row stays (audit), its text is cleared. */
  delete: protectedProcedure
    .input(z.object({ conversationId: id, commentId: id, clientMutationId }))
    .mutation(({ ctx, input, path }) =>
      applyOnce(ctx, path, input.clientMutationId, async () => {
        await deleteComment(ctx.ctx, { ...input, userId: ctx.user.id });
        return { ok: true as const };
      }),
    ),
});
