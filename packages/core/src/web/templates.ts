import { inboxes, templates, users } from "@madoguchi/db/schema";
import { asc, eq } from "drizzle-orm";
import { assertInboxAccess } from "../authz";
import { type CoreContext, nowOf } from "../context";
import { getConversation } from "../conversations/lock";
import { AppError } from "../errors";

export type Template = typeof templates.$inferSelect;

export const MAX_TEMPLATE_LENGTH = 50_000;
/** Placeholders a template may use; anything else in {{ }} is left as written. */
export const TEMPLATE_PLACEHOLDERS = [
  "customer.name",
  "customer.email",
  "agent.name",
  "agent.email",
  "inbox.name",
  "inbox.address",
  "conversation.subject",
] as const;

function check(input: { name: string; body: string }) {
  if (!input.name.trim()) throw new AppError("INVALID_INPUT", "A template needs a name", { field: "name" });
  if (input.body.length > MAX_TEMPLATE_LENGTH)
    throw new AppError("INVALID_INPUT", "The template is too long", { field: "body" });
}

export async function listTemplates(ctx: CoreContext, userId: number, inboxId: number): Promise<Template[]> {
  await assertInboxAccess(ctx.db, userId, inboxId);
  return ctx.db.select().from(templates).where(eq(templates.inboxId, inboxId)).orderBy(asc(templates.name));
}

/** Members of an inbox manage its templates (a shared team resource, like the chat). */
export async function createTemplate(
  ctx: CoreContext,
  userId: number,
  input: { inboxId: number; name: string; subject?: string | null; body: string },
): Promise<Template> {
  await assertInboxAccess(ctx.db, userId, input.inboxId);
  check(input);
  const now = nowOf(ctx);
  const [row] = await ctx.db
    .insert(templates)
    .values({
      inboxId: input.inboxId,
      name: input.name.trim(),
      subject: input.subject ?? null,
      body: input.body,
      createdBy: userId,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error("insert into templates returned nothing");
  return row;
}

async function ownTemplate(ctx: CoreContext, userId: number, templateId: number): Promise<Template> {
  const [row] = await ctx.db.select().from(templates).where(eq(templates.id, templateId));
  if (!row) throw new AppError("NOT_FOUND", "No such template");
  await assertInboxAccess(ctx.db, userId, row.inboxId);
  return row;
}

export async function updateTemplate(
  ctx: CoreContext,
  userId: number,
  input: { templateId: number; name: string; subject?: string | null; body: string },
): Promise<Template> {
  const current = await ownTemplate(ctx, userId, input.templateId);
  check(input);
  const [row] = await ctx.db
    .update(templates)
    .set({ name: input.name.trim(), subject: input.subject ?? null, body: input.body, updatedAt: nowOf(ctx) })
    .where(eq(templates.id, current.id))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "No such template");
  return row;
}

export async function deleteTemplate(ctx: CoreContext, userId: number, templateId: number): Promise<void> {
  const current = await ownTemplate(ctx, userId, templateId);
  await ctx.db.delete(templates).where(eq(templates.id, current.id));
}

/** Fills a template's placeholders for one conversation and the agent using it. */
export async function renderTemplate(
  ctx: CoreContext,
  userId: number,
  input: { templateId: number; conversationId: number },
): Promise<{ subject: string | null; body: string }> {
  const template = await ownTemplate(ctx, userId, input.templateId);
  const conversation = await getConversation(ctx, input.conversationId, userId);
  if (conversation.inboxId !== template.inboxId)
    throw new AppError("INVALID_INPUT", "The template belongs to another inbox");
  const [agent] = await ctx.db.select().from(users).where(eq(users.id, userId));
  const [inbox] = await ctx.db.select().from(inboxes).where(eq(inboxes.id, conversation.inboxId));
  const values: Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string> = {
    "customer.name": conversation.customerName ?? conversation.customerAddress ?? "",
    "customer.email": conversation.customerAddress ?? "",
    "agent.name": agent?.name ?? "",
    "agent.email": agent?.email ?? "",
    "inbox.name": inbox?.name ?? "",
    "inbox.address": inbox?.address ?? "",
    "conversation.subject": conversation.subject,
  };
  const fill = (text: string) =>
    text.replace(/\{\{\s*([a-z]+\.[a-z]+)\s*\}\}/g, (whole, key: string) =>
      key in values ? values[key as keyof typeof values] : whole,
    );
  return { subject: template.subject === null ? null : fill(template.subject), body: fill(template.body) };
}
