import {
  type Draft,
  discardDraft,
  heldSendsOf,
  listDraftAttachments,
  loadDrafts,
  removeDraftAttachment,
  saveDraft,
} from "@madoguchi/core";
import { z } from "zod";
import { createRouter, protectedProcedure } from "../trpc";
import { iso } from "../view/iso";
import { draftContent, id, seq } from "./reply.types";

const draftView = (d: Draft) => ({
  id: d.id,
  conversationId: d.conversationId,
  state: d.state,
  content: d.content,
  basedOnSeq: d.basedOnSeq,
  createdAt: iso(d.createdAt),
  updatedAt: iso(d.updatedAt),
});

/** Reply drafts on the server: autosave while typing, restore after reload, refused sends kept. */
export const draftRouter = createRouter({
  /** Creates or replaces the caller's one editing draft on the conversation. */
  save: protectedProcedure
    .input(z.object({ conversationId: id, basedOnSeq: seq, content: draftContent }))
    .mutation(async ({ ctx, input }) =>
      draftView(await saveDraft(ctx.ctx, { ...input, userId: ctx.user.id })),
    ),

  /**
   * The caller's editing draft (or null), their refused sends (newest first) and their sends
   * still inside the undo window (a reloaded composer offers the undo again), and the files
   * on the editing draft (uploaded at POST /api/drafts/:conversationId/attachments).
   */
  get: protectedProcedure.input(z.object({ conversationId: id })).query(async ({ ctx, input }) => {
    const who = { userId: ctx.user.id, conversationId: input.conversationId };
    const d = await loadDrafts(ctx.ctx, who);
    const held = await heldSendsOf(ctx.ctx, who);
    const attachments = await listDraftAttachments(ctx.ctx, who);
    return {
      attachments,
      editing: d.editing ? draftView(d.editing) : null,
      refused: d.refused.map(draftView),
      held: held.map((h) => ({ outboundId: h.outboundId, releaseAt: iso(h.releaseAt) })),
    };
  }),

  /** Deletes the editing draft, or the draft with draftId (e.g. a refused one). */
  discard: protectedProcedure
    .input(z.object({ conversationId: id, draftId: id.optional() }))
    .mutation(async ({ ctx, input }) => {
      await discardDraft(ctx.ctx, { ...input, userId: ctx.user.id });
      return { ok: true as const };
    }),

  /** Takes an uploaded file off the caller's editing draft before it is sent. */
  removeAttachment: protectedProcedure
    .input(z.object({ conversationId: id, attachmentId: id }))
    .mutation(async ({ ctx, input }) => {
      await removeDraftAttachment(ctx.ctx, { ...input, userId: ctx.user.id });
      return { ok: true as const };
    }),
});
