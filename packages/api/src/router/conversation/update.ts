import {
  assignConversation,
  bulkUpdateConversations,
  markConversationRead,
  setConversationLabels,
  setJunk,
  setStatus,
  snoozeConversation,
} from "@madoguchi/core";
import { messageKeyOf } from "../../errors";
import { applyOnce, protectedProcedure } from "../../trpc";
import {
  assignInput,
  bulkInput,
  markReadInput,
  setJunkInput,
  setLabelsInput,
  setStatusInput,
  snoozeInput,
} from "./conversation.types";

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

/** ラベル on and off; seq is null when nothing changed. Labels must be the conversation's inbox's. */
export const setLabelsProcedure = protectedProcedure.input(setLabelsInput).mutation(({ ctx, input, path }) =>
  applyOnce(ctx, path, input.clientMutationId, () =>
    setConversationLabels(ctx.ctx, {
      conversationId: input.conversationId,
      userId: ctx.user.id,
      add: input.add,
      remove: input.remove,
    }),
  ),
);

/** スヌーズ until a time (保留 meanwhile), or null: 解除, back to 未対応 now. */
export const snoozeProcedure = protectedProcedure.input(snoozeInput).mutation(({ ctx, input, path }) =>
  applyOnce(ctx, path, input.clientMutationId, () =>
    snoozeConversation(ctx.ctx, {
      conversationId: input.conversationId,
      userId: ctx.user.id,
      until: input.until === null ? null : new Date(input.until),
    }),
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

/**
 * 一括操作 on the conversations selected in the list: each changed as by its own action, one
 * that cannot be (not a member, gone meanwhile) reported with its error and the rest changed.
 */
export const bulk = protectedProcedure.input(bulkInput).mutation(({ ctx, input, path }) =>
  applyOnce(ctx, path, input.clientMutationId, async () => {
    const outcomes = await bulkUpdateConversations(ctx.ctx, ctx.user.id, input.conversationIds, input.action);
    for (const o of outcomes)
      if (o.readSeq !== undefined) ctx.runtime.events.readState(ctx.user.id, o.conversationId, o.readSeq);
    return {
      outcomes: outcomes.map((o) => ({
        conversationId: o.conversationId,
        /** Why it was not changed, as a key of the web app's messages; null when it was. */
        error: o.error ? messageKeyOf(o.error) : null,
      })),
    };
  }),
);
