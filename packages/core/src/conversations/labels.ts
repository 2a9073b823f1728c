import type { Tx } from "@madoguchi/db/client";
import {
  conversationLabels,
  conversations,
  type LabelColor,
  labelColors,
  labels,
} from "@madoguchi/db/schema";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { assertInboxAccess } from "../authz";
import { allocateSeqs, insertChanges, recordChange } from "../changelog";
import { type CoreContext, nowOf } from "../context";
import { AppError, isAppError } from "../errors";
import { lockInbox, withConversation } from "./lock";

export type Label = typeof labels.$inferSelect;
/** What a conversation row or view shows of a label. */
export type LabelRef = Pick<Label, "id" | "name" | "color">;

export const MAX_LABEL_NAME = 40;
/** Labels one inbox may have: enough for any team's sorting, few enough for a picker. */
export const MAX_LABELS_PER_INBOX = 100;

function checkedName(name: string): string {
  const trimmed = name.trim().replace(/\s+/g, " ");
  if (!trimmed) throw new AppError("INVALID_INPUT", "A label needs a name", { field: "name" });
  if ([...trimmed].length > MAX_LABEL_NAME)
    throw new AppError("INVALID_INPUT", `A label name is at most ${MAX_LABEL_NAME} characters`, {
      field: "name",
    });
  return trimmed;
}

function checkedColor(color: string | undefined): LabelColor {
  if (color === undefined) return labelColors[0];
  if (!(labelColors as readonly string[]).includes(color))
    throw new AppError("INVALID_INPUT", `Unknown label colour ${color}`, { field: "color" });
  return color as LabelColor;
}

/** The unique index on (inbox, lower(name)) tells a second label of the same name. */
function duplicateName(err: unknown): boolean {
  const cause = (err as { cause?: unknown }).cause ?? err;
  return (cause as { code?: string }).code === "23505";
}

const sameName = (name: string) =>
  new AppError("CONFLICT", `This inbox already has a label named ${name}`, {
    field: "name",
    reason: "label_name_taken",
  });

export async function listLabels(ctx: CoreContext, userId: number, inboxId: number): Promise<Label[]> {
  await assertInboxAccess(ctx.db, userId, inboxId);
  return ctx.db
    .select()
    .from(labels)
    .where(eq(labels.inboxId, inboxId))
    .orderBy(asc(sql`lower(${labels.name})`), asc(labels.id));
}

/** Members of an inbox manage its labels (a shared team resource, like its templates). */
export async function createLabel(
  ctx: CoreContext,
  userId: number,
  input: { inboxId: number; name: string; color?: string },
): Promise<Label> {
  await assertInboxAccess(ctx.db, userId, input.inboxId);
  const name = checkedName(input.name);
  const color = checkedColor(input.color);
  const [count] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(labels)
    .where(eq(labels.inboxId, input.inboxId));
  if ((count?.n ?? 0) >= MAX_LABELS_PER_INBOX)
    throw new AppError("INVALID_INPUT", `An inbox has at most ${MAX_LABELS_PER_INBOX} labels`);
  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(labels)
        .values({ inboxId: input.inboxId, name, color, createdBy: userId, createdAt: nowOf(ctx) })
        .returning();
      if (!row) throw new Error("insert into labels returned nothing");
      await labelSetChanged(tx, row.inboxId, userId, { created: row.name });
      return row;
    });
  } catch (err) {
    if (duplicateName(err)) throw sameName(name);
    throw err;
  }
}

/**
 * An inbox's set of labels changed (one made, renamed, recoloured): a change of the inbox, on no
 * conversation, so every open picker and filter of its members learns of it.
 */
async function labelSetChanged(tx: Tx, inboxId: number, actorId: number, data: Record<string, unknown>) {
  await recordChange(tx, { inboxId, kind: "labels_changed", actorId, data });
}

async function labelOf(ctx: CoreContext, userId: number, labelId: number): Promise<Label> {
  const [row] = await ctx.db.select().from(labels).where(eq(labels.id, labelId));
  if (!row) throw new AppError("NOT_FOUND", "No such label");
  await assertInboxAccess(ctx.db, userId, row.inboxId);
  return row;
}

/** Renames or recolours a label; the conversations carrying it show the change. */
export async function updateLabel(
  ctx: CoreContext,
  userId: number,
  input: { labelId: number; name?: string; color?: string },
): Promise<Label> {
  const current = await labelOf(ctx, userId, input.labelId);
  const name = input.name === undefined ? current.name : checkedName(input.name);
  const color = input.color === undefined ? current.color : checkedColor(input.color);
  try {
    return await ctx.db.transaction(async (tx) => {
      const [row] = await tx.update(labels).set({ name, color }).where(eq(labels.id, current.id)).returning();
      if (!row) throw new AppError("NOT_FOUND", "No such label");
      await labelSetChanged(tx, row.inboxId, userId, { renamed: { from: current.name, to: row.name } });
      return row;
    });
  } catch (err) {
    if (!isAppError(err) && duplicateName(err)) throw sameName(name);
    throw err;
  }
}

/**
 * Deletes a label, taking it off every conversation that carries it: each of them logs the
 * removal (its activity says who; open lists and views drop the chip), as if taken off by hand.
 */
export async function deleteLabel(ctx: CoreContext, userId: number, labelId: number): Promise<void> {
  const current = await labelOf(ctx, userId, labelId);
  await ctx.db.transaction(async (tx) => {
    await lockInbox(tx, current.inboxId);
    const carrying = await tx
      .delete(conversationLabels)
      .where(eq(conversationLabels.labelId, current.id))
      .returning({ conversationId: conversationLabels.conversationId });
    await tx.delete(labels).where(eq(labels.id, current.id));
    if (!carrying.length) return labelSetChanged(tx, current.inboxId, userId, { deleted: current.name });
    const first = await allocateSeqs(tx, current.inboxId, carrying.length);
    const rows = carrying.map(({ conversationId }, i) => ({
      seq: first + i,
      inboxId: current.inboxId,
      kind: "labels_changed" as const,
      conversationId,
      actorId: userId,
      data: { added: [], removed: [current.name], deleted: true },
    }));
    await insertChanges(tx, rows);
    // Each conversation's lastSeq to its own change: the web refreshes what changed.
    const seqs = JSON.stringify(rows.map((r) => ({ id: r.conversationId, seq: r.seq })));
    await tx.execute(sql`update ${conversations} c set last_seq = v.seq
      from json_to_recordset(${seqs}::json) as v(id bigint, seq bigint) where c.id = v.id`);
  });
}

/** The labels of each conversation, by name. */
export async function labelsOf(
  db: CoreContext["db"] | Tx,
  conversationIds: number[],
): Promise<Map<number, LabelRef[]>> {
  const byConversation = new Map<number, LabelRef[]>();
  if (!conversationIds.length) return byConversation;
  const rows = await db
    .select({
      conversationId: conversationLabels.conversationId,
      id: labels.id,
      name: labels.name,
      color: labels.color,
    })
    .from(conversationLabels)
    .innerJoin(labels, eq(labels.id, conversationLabels.labelId))
    .where(inArray(conversationLabels.conversationId, conversationIds))
    .orderBy(asc(sql`lower(${labels.name})`), asc(labels.id));
  for (const { conversationId, ...label } of rows)
    byConversation.set(conversationId, [...(byConversation.get(conversationId) ?? []), label]);
  return byConversation;
}

/**
 * Puts labels on a conversation and takes others off, in one change of its log (activity: who
 * did it and which labels; realtime: every open list and view). Labels must be its inbox's.
 * Adding one it has, or removing one it has not, is no change; with none, nothing is logged.
 */
export async function setConversationLabels(
  ctx: CoreContext,
  input: { conversationId: number; userId: number; add?: number[]; remove?: number[] },
): Promise<{ seq: number | null; labels: LabelRef[] }> {
  return withConversation(ctx, input.conversationId, input.userId, (tx, conversation) =>
    applyLabels(tx, conversation, input.userId, input.add ?? [], input.remove ?? []),
  );
}

/**
 * setConversationLabels on a locked conversation (withConversation's, or one a 自動振り分け
 * `rule` labels as it is created: actorId null then).
 */
export async function applyLabels(
  tx: Tx,
  conversation: { id: number; inboxId: number },
  actorId: number | null,
  add: number[],
  remove: number[],
  rule?: string,
): Promise<{ seq: number | null; labels: LabelRef[] }> {
  const wanted = [...new Set([...add, ...remove])];
  if (add.some((id) => remove.includes(id)))
    throw new AppError("INVALID_INPUT", "A label cannot be both added and removed");
  const known = wanted.length
    ? await tx
        .select()
        .from(labels)
        .where(and(inArray(labels.id, wanted), eq(labels.inboxId, conversation.inboxId)))
    : [];
  if (known.length !== wanted.length)
    throw new AppError("INVALID_INPUT", "A label belongs to another inbox or no longer exists", {
      field: "labels",
    });
  const before = (await labelsOf(tx, [conversation.id])).get(conversation.id) ?? [];
  const has = new Set(before.map((l) => l.id));
  const added = known.filter((l) => add.includes(l.id) && !has.has(l.id));
  const removed = known.filter((l) => remove.includes(l.id) && has.has(l.id));
  if (!added.length && !removed.length) return { seq: null, labels: before };
  if (added.length)
    await tx
      .insert(conversationLabels)
      .values(added.map((l) => ({ conversationId: conversation.id, labelId: l.id })));
  if (removed.length)
    await tx.delete(conversationLabels).where(
      and(
        eq(conversationLabels.conversationId, conversation.id),
        inArray(
          conversationLabels.labelId,
          removed.map((l) => l.id),
        ),
      ),
    );
  const seq = await recordChange(tx, {
    inboxId: conversation.inboxId,
    kind: "labels_changed",
    conversationId: conversation.id,
    actorId,
    data: { added: added.map((l) => l.name), removed: removed.map((l) => l.name), ...(rule ? { rule } : {}) },
  });
  await tx.update(conversations).set({ lastSeq: seq }).where(eq(conversations.id, conversation.id));
  const after = (await labelsOf(tx, [conversation.id])).get(conversation.id) ?? [];
  return { seq, labels: after };
}
