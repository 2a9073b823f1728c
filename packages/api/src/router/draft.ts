import { type Draft, discardDraft, loadDrafts, saveDraft } from "@madoguchi/core";
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

  /** The caller's editing draft (or null) and their refused sends, newest first. */
  get: protectedProcedure.input(z.object({ conversationId: id })).query(async ({ ctx, input }) => {
    const d = await loadDrafts(ctx.ctx, { userId: ctx.user.id, conversationId: input.conversationId });
    return { editing: d.editing ? draftView(d.editing) : null, refused: d.refused.map(draftView) };
  }),

  /** Deletes the editing draft, or the draft with draftId (e.g. a refused one). */
  discard: protectedProcedure
    .input(z.object({ conversationId: id, draftId: id.optional() }))
    .mutation(async ({ ctx, input }) => {
      await discardDraft(ctx.ctx, { ...input, userId: ctx.user.id });
      return { ok: true as const };
    }),
});
