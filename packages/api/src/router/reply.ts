import {
  AppError,
  cancelHeldSend,
  claimReply,
  DEFAULT_UNDO_SECONDS,
  releaseReplyClaim,
  replyContext,
  sendWebReply,
  setStatus,
} from "@madoguchi/core";
import { z } from "zod";
import { composeReply } from "../mail/compose-reply";
import { applyOnce, createRouter, protectedProcedure } from "../trpc";
import { iso } from "../view/iso";
import { clientMutationId, id, sendInput } from "./reply.types";

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
      const { deps } = ctx.runtime;
      const context = await replyContext(ctx.ctx, ctx.user.id, input.conversationId);
      const composed = await composeReply({
        context,
        hostname: deps.hostname,
        userId: ctx.user.id,
        to: input.to,
        cc: input.cc,
        bcc: input.bcc,
        subject: input.subject,
        bodyText: input.bodyText,
        bodyHtml: input.bodyHtml,
        clientMutationId: input.clientMutationId,
        now: new Date(),
      });
      const domain = context.inbox.address.slice(context.inbox.address.lastIndexOf("@") + 1);
      const raw = deps.signOutbound ? await deps.signOutbound(composed.raw, domain) : composed.raw;
      const recipients = [...input.to, ...input.cc, ...input.bcc].map((r) => r.address);
      const result = await sendWebReply(ctx.ctx, {
        userId: ctx.user.id,
        conversationId: input.conversationId,
        basedOnSeq: input.basedOnSeq,
        override: input.override,
        raw,
        messageIdHeader: composed.messageId,
        subject: input.subject,
        mailFrom: context.inbox.address,
        recipients,
        draft: {
          subject: input.subject,
          to: input.to.map((r) => r.address),
          cc: input.cc.map((r) => r.address),
          bcc: input.bcc.map((r) => r.address),
          bodyText: input.bodyText,
          ...(input.bodyHtml ? { bodyHtml: input.bodyHtml, format: "markdown" as const } : {}),
        },
        holdSeconds: context.inbox.settings.undoSendSeconds ?? DEFAULT_UNDO_SECONDS,
      });
      if (!result.sent) {
        const { at, ...rest } = result.conflict;
        throw new AppError("REPLY_CONFLICT", result.conflict.description, {
          conflict: { ...rest, at: iso(at) },
        });
      }
      deps.onQueued?.();
      if (input.statusAfter)
        await setStatus(ctx.ctx, {
          conversationId: input.conversationId,
          userId: ctx.user.id,
          status: input.statusAfter,
        });
      return {
        sent: true as const,
        duplicate: result.duplicate,
        outboundId: result.outboundId,
        messageId: composed.messageId,
        replySeq: result.replySeq,
        /** Until then reply.cancel gives the draft back; after it the workers send it. */
        heldUntil: result.heldUntil ? iso(result.heldUntil) : null,
      };
    }),
  ),

  /**
   * Undo inside the inbox's undo window: nothing goes out, the Sent copy disappears, the
   * status goes back and the draft is the editing draft again. Too late: CONFLICT.
   */
  cancel: protectedProcedure.input(z.object({ outboundId: id })).mutation(async ({ ctx, input }) => {
    const r = await cancelHeldSend(ctx.ctx, { userId: ctx.user.id, outboundId: input.outboundId });
    return { cancelled: true as const, conversationId: r.conversationId, draftId: r.draftId };
  }),
});
