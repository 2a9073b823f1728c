import { createRule, deleteRule, type InboxRule, listRules, moveRule, updateRule } from "@madoguchi/core";
import { ruleFields } from "@madoguchi/db/schema";
import { z } from "zod";
import { createRouter, protectedProcedure } from "../trpc";
import { iso } from "../view/iso";

const id = z.number().int().positive();
const name = z.string().max(200);
// Blank values and a rule without conditions or actions are core's to refuse, with their own words.
const conditions = z.array(z.object({ field: z.enum(ruleFields), value: z.string().max(400) })).max(20);
const actions = z.object({
  assigneeId: id.nullable(),
  labelIds: z.array(id).max(100),
  status: z.enum(["in_progress", "waiting", "done"]).nullable(),
});

const ruleView = (r: InboxRule) => ({
  id: r.id,
  inboxId: r.inboxId,
  name: r.name,
  enabled: r.enabled,
  position: r.position,
  conditions: r.conditions,
  actions: r.actions,
  createdAt: iso(r.createdAt),
});

/** 自動振り分け: an inbox's rules for new inquiries, managed by its members. */
export const ruleRouter = createRouter({
  list: protectedProcedure.input(z.object({ inboxId: id })).query(async ({ ctx, input }) => ({
    rules: (await listRules(ctx.ctx, ctx.user.id, input.inboxId)).map(ruleView),
  })),
  create: protectedProcedure
    .input(z.object({ inboxId: id, name, enabled: z.boolean().optional(), conditions, actions }))
    .mutation(async ({ ctx, input }) => ruleView(await createRule(ctx.ctx, ctx.user.id, input))),
  update: protectedProcedure
    .input(
      z.object({
        ruleId: id,
        name: name.optional(),
        enabled: z.boolean().optional(),
        conditions: conditions.optional(),
        actions: actions.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => ruleView(await updateRule(ctx.ctx, ctx.user.id, input))),
  delete: protectedProcedure.input(z.object({ ruleId: id })).mutation(async ({ ctx, input }) => {
    await deleteRule(ctx.ctx, ctx.user.id, input.ruleId);
    return { ok: true as const };
  }),
  move: protectedProcedure
    .input(z.object({ ruleId: id, direction: z.enum(["up", "down"]) }))
    .mutation(async ({ ctx, input }) => ({
      rules: (await moveRule(ctx.ctx, ctx.user.id, input)).map(ruleView),
    })),
});
