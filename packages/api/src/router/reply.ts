import {
  cancelHeldSend,
  claimReply,
  draftFilesForSend,
  releaseReplyClaim,
  replyContext,
} from "@madoguchi/core";
import { z } from "zod";
import { applyOnce, createRouter, protectedProcedure } from "../trpc";
import { iso } from "../view/iso";
import { clientMutationId, id, sendInput } from "./reply.types";
import { draftOf, sendOnConversation } from "./send-message";

export const replyRouter = createRouter({
  /** "I am replying" lease (advisory; others see it). Renew by calling again; takeOver: true takes it from a teammate (recorded). */
  claim: protectedProcedure
    .input(z.object({ conversationId: id, clientMutationId, takeOver: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      const r = await claimReply(ctx.ctx, {
        conversationId: input.conversationId,
        userId: ctx.user.id,
        takeOver: input.takeOver,
      });
      return r.claimed
        ? { claimed: true as const, expiresAt: iso(r.expiresAt) }
        : {
            claimed: false as const,
            holder: { id: r.holderId, name: r.holderName },
            expiresAt: iso(r.expiresAt),
          };
    }),

  release: protectedProcedure.input(z.object({ conversationId: id })).mutation(async ({ ctx, input }) => {
    await releaseReplyClaim(ctx.ctx, { conversationId: input.conversationId, userId: ctx.user.id });
    return { ok: true as const };
  }),

  /**
   * Sends a reply through the send-time guard. Refused (someone replied or commented, or the
   * customer wrote, after basedOnSeq): CONFLICT with data.details.conflict = who, when, what
   * they wrote, and the id of the kept draft. Resend with override: true to send anyway.
   */
  send: protectedProcedure.input(sendInput).mutation(({ ctx, input, path }) =>
    applyOnce(ctx, path, input.clientMutationId, async () => {
      const context = await replyContext(ctx.ctx, ctx.user.id, input.conversationId);
      const files = await draftFilesForSend(ctx.ctx, {
        userId: ctx.user.id,
        conversationId: input.conversationId,
      });
      return sendOnConversation(ctx, context, input, {
        from: context.from,
        thread: {
          inReplyTo: context.inReplyTo,
          references: context.references,
          scope: String(input.conversationId),
        },
        attachments: files,
        guard: true,
        draft: draftOf(input),
      });
    }),
  ),

  /**
   * Undo inside the inbox's undo window: nothing goes out, the Sent copy disappears, the
   * status goes back and the draft is the editing draft again. Too late: CONFLICT.
   * A new message's conversation it leaves empty is removed (conversationRemoved) and the
   * draft is a new-message draft again (newDraft: compose.newDrafts lists it).
   */
  cancel: protectedProcedure.input(z.object({ outboundId: id })).mutation(async ({ ctx, input }) => {
    const r = await cancelHeldSend(ctx.ctx, { userId: ctx.user.id, outboundId: input.outboundId });
    return {
      cancelled: true as const,
      conversationId: r.conversationId,
      draftId: r.draftId,
      conversationRemoved: r.conversationRemoved,
      newDraft: r.newDraft,
    };
  }),
});
