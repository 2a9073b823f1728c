import { createLabel, deleteLabel, type Label, listLabels, updateLabel } from "@madoguchi/core";
import { labelColors } from "@madoguchi/db/schema";
import { z } from "zod";
import { createRouter, protectedProcedure } from "../trpc";
import { iso } from "../view/iso";

const id = z.number().int().positive();
const color = z.enum(labelColors);

const labelView = (l: Label) => ({
  id: l.id,
  inboxId: l.inboxId,
  name: l.name,
  color: l.color,
  createdAt: iso(l.createdAt),
});

/** ラベル per inbox, managed by its members: put on conversations to sort them and filter the list. */
export const labelRouter = createRouter({
  list: protectedProcedure.input(z.object({ inboxId: id })).query(async ({ ctx, input }) => ({
    labels: (await listLabels(ctx.ctx, ctx.user.id, input.inboxId)).map(labelView),
    colors: [...labelColors],
  })),
  create: protectedProcedure
    .input(z.object({ inboxId: id, name: z.string().min(1).max(100), color: color.optional() }))
    .mutation(async ({ ctx, input }) => labelView(await createLabel(ctx.ctx, ctx.user.id, input))),
  update: protectedProcedure
    .input(z.object({ labelId: id, name: z.string().min(1).max(100).optional(), color: color.optional() }))
    .mutation(async ({ ctx, input }) => labelView(await updateLabel(ctx.ctx, ctx.user.id, input))),
  delete: protectedProcedure.input(z.object({ labelId: id })).mutation(async ({ ctx, input }) => {
    await deleteLabel(ctx.ctx, ctx.user.id, input.labelId);
    return { ok: true as const };
  }),
});
