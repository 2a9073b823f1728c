import {
  createTemplate,
  deleteTemplate,
  listTemplates,
  renderTemplate,
  TEMPLATE_PLACEHOLDERS,
  type Template,
  updateTemplate,
} from "@madoguchi/core";
import { z } from "zod";
import { createRouter, protectedProcedure } from "../trpc";
import { iso } from "../view/iso";

const id = z.number().int().positive();
const fields = {
  name: z.string().min(1).max(200),
  subject: z.string().max(998).nullable().optional(),
  body: z.string().max(50_000),
};

const templateView = (t: Template) => ({
  id: t.id,
  inboxId: t.inboxId,
  name: t.name,
  subject: t.subject,
  body: t.body,
  createdBy: t.createdBy,
  createdAt: iso(t.createdAt),
  updatedAt: iso(t.updatedAt),
});

/** Reply templates per inbox, managed by its members; placeholders like {{customer.name}}. */
export const templateRouter = createRouter({
  list: protectedProcedure.input(z.object({ inboxId: id })).query(async ({ ctx, input }) => ({
    templates: (await listTemplates(ctx.ctx, ctx.user.id, input.inboxId)).map(templateView),
    placeholders: [...TEMPLATE_PLACEHOLDERS],
  })),
  create: protectedProcedure
    .input(z.object({ inboxId: id, ...fields }))
    .mutation(async ({ ctx, input }) => templateView(await createTemplate(ctx.ctx, ctx.user.id, input))),
  update: protectedProcedure
    .input(z.object({ templateId: id, ...fields }))
    .mutation(async ({ ctx, input }) => templateView(await updateTemplate(ctx.ctx, ctx.user.id, input))),
  delete: protectedProcedure.input(z.object({ templateId: id })).mutation(async ({ ctx, input }) => {
    await deleteTemplate(ctx.ctx, ctx.user.id, input.templateId);
    return { ok: true as const };
  }),
  /** The template filled for this conversation and the calling agent. */
  render: protectedProcedure
    .input(z.object({ templateId: id, conversationId: id }))
    .query(({ ctx, input }) => renderTemplate(ctx.ctx, ctx.user.id, input)),
});
