import { assignConversation, markConversationRead, setJunk, setStatus } from "@madoguchi/core";
import { applyOnce, protectedProcedure } from "../../trpc";
import { assignInput, markReadInput, setJunkInput, setStatusInput } from "./conversation.types";

/** 未対応 / 対応中 / 保留 / 対応済み; seq is null when it already had that status. */
export const setStatusProcedure = protectedProcedure
  .input(setStatusInput)
  .mutation(({ ctx, input, path }) =>
    applyOnce(ctx, path, input.clientMutationId, () =>
      setStatus(ctx.ctx, { conversationId: input.conversationId, userId: ctx.user.id, status: input.status }),
    ),
  );

/** 迷惑メール or not: its mail moves between INBOX and Junk; seq is null when it already was so. */
export const setJunkProcedure = protectedProcedure
  .input(setJunkInput)
  .mutation(({ ctx, input, path }) =>
    applyOnce(ctx, path, input.clientMutationId, () =>
      setJunk(ctx.ctx, { conversationId: input.conversationId, userId: ctx.user.id, junk: input.junk }),
    ),
  );

/** Sets or clears the one assignee (a member of the inbox). */
export const assign = protectedProcedure.input(assignInput).mutation(({ ctx, input, path }) =>
  applyOnce(ctx, path, input.clientMutationId, () =>
    assignConversation(ctx.ctx, {
      conversationId: input.conversationId,
      userId: ctx.user.id,
      assigneeId: input.assigneeId,
    }),
  ),
);

/** Per-user read state (other tabs of the same user are told over realtime). */
export const markRead = protectedProcedure.input(markReadInput).mutation(async ({ ctx, input }) => {
  const result = await markConversationRead(ctx.ctx, {
    userId: ctx.user.id,
    conversationId: input.conversationId,
    seq: input.seq,
    read: input.read,
  });
  ctx.runtime.events.readState(ctx.user.id, input.conversationId, result.readSeq);
  return result;
});
