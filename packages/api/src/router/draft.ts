import { type Draft, discardDraft, heldSendsOf, loadDrafts, saveDraft } from "@madoguchi/core";
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
   * still inside the undo window (a reloaded composer offers the undo again).
   */
  get: protectedProcedure.input(z.object({ conversationId: id })).query(async ({ ctx, input }) => {
    const who = { userId: ctx.user.id, conversationId: input.conversationId };
    const d = await loadDrafts(ctx.ctx, who);
    const held = await heldSendsOf(ctx.ctx, who);
    return {
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
});
