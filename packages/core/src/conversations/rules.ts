import type { Queryable, Tx } from "@madoguchi/db/client";
import {
  conversations,
  inboxRules,
  labels,
  type RuleActions,
  type RuleCondition,
  ruleFields,
} from "@madoguchi/db/schema";
import type { ParsedMessage } from "@madoguchi/mail/parse";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { assertInboxAccess, canAccessInbox } from "../authz";
import { type CoreContext, nowOf } from "../context";
import { AppError } from "../errors";
import { applyAssignee } from "./assign";
import { applyLabels } from "./labels";
import { applyStatus } from "./status";

// 自動振り分け, as yaritori, Re:lation and Front offer it: an inbox's rules for new inquiries. When
// a customer's mail starts a conversation, every enabled rule whose conditions all match applies,
// top to bottom: it assigns the conversation, puts labels on it, sets its status. For the
// assignee and the status a later rule overrides an earlier one; labels add up. A follow-up in a
// conversation is left alone (a person may have changed what a rule did), and so is junk.

export type InboxRule = typeof inboxRules.$inferSelect;

const MAX_NAME = 100;
const MAX_CONDITIONS = 10;
const MAX_VALUE = 200;
const MAX_RULES_PER_INBOX = 100;
/** How much of a message's text a "body" condition looks through. */
const BODY_SCAN_CHARS = 100_000;
const RULE_STATUSES = ["in_progress", "waiting", "done"] as const;

export interface RuleInput {
  name: string;
  enabled?: boolean;
  conditions: RuleCondition[];
  actions: RuleActions;
}

const noCondition = () =>
  new AppError("INVALID_INPUT", "A rule needs at least one condition", { reason: "rule_no_condition" });
const noAction = () =>
  new AppError("INVALID_INPUT", "A rule needs an assignee, a label or a status", {
    reason: "rule_no_action",
  });

/** The rule as stored: trimmed, conditions with a value, actions on this inbox's people and labels. */
async function checkedRule(db: Queryable, inboxId: number, input: RuleInput): Promise<RuleInput> {
  const name = input.name.trim();
  if (!name || name.length > MAX_NAME)
    throw new AppError("INVALID_INPUT", `A rule's name has 1 to ${MAX_NAME} characters`);
  const conditions = input.conditions
    .map((c) => ({ field: c.field, value: c.value.trim() }))
    .filter((c) => c.value !== "");
  if (!conditions.length) throw noCondition();
  if (conditions.length > MAX_CONDITIONS)
    throw new AppError("INVALID_INPUT", `A rule has at most ${MAX_CONDITIONS} conditions`);
  for (const c of conditions) {
    if (!ruleFields.includes(c.field)) throw new AppError("INVALID_INPUT", `Unknown field ${c.field}`);
    if (c.value.length > MAX_VALUE)
      throw new AppError("INVALID_INPUT", `A condition's text has at most ${MAX_VALUE} characters`);
  }
  const { assigneeId, status } = input.actions;
  const labelIds = [...new Set(input.actions.labelIds)];
  if (assigneeId === null && !labelIds.length && status === null) throw noAction();
  if (status !== null && !RULE_STATUSES.includes(status))
    throw new AppError("INVALID_INPUT", `A rule sets in_progress, waiting or done, not ${status}`);
  if (assigneeId !== null && !(await canAccessInbox(db, assigneeId, inboxId)))
    throw new AppError("INVALID_INPUT", "The assignee is not a member of this inbox");
  if (labelIds.length) {
    const known = await labelsStill(db, inboxId, labelIds);
    if (known.length !== labelIds.length)
      throw new AppError("INVALID_INPUT", "A label belongs to another inbox or no longer exists");
  }
  return { name, enabled: input.enabled, conditions, actions: { assigneeId, labelIds, status } };
}

/** Which of these labels are still the inbox's (not deleted meanwhile). */
async function labelsStill(db: Queryable, inboxId: number, ids: number[]): Promise<number[]> {
  if (!ids.length) return [];
  const rows = await db
    .select({ id: labels.id })
    .from(labels)
    .where(and(inArray(labels.id, ids), eq(labels.inboxId, inboxId)));
  return rows.map((l) => l.id);
}

/**
 * A stored rule's actions without what has gone since (a deleted label, an assignee no longer a
 * member), as a delivery skips them: switching the rule off or renaming it must not fail on them.
 */
async function withoutDeparted(db: Queryable, inboxId: number, actions: RuleActions): Promise<RuleActions> {
  const labelIds = await labelsStill(db, inboxId, actions.labelIds);
  const stays = actions.assigneeId !== null && (await canAccessInbox(db, actions.assigneeId, inboxId));
  return {
    assigneeId: stays ? actions.assigneeId : null,
    labelIds: actions.labelIds.filter((id) => labelIds.includes(id)),
    status: actions.status,
  };
}

/** An inbox's rules in the order they apply. Members only. */
export async function listRules(ctx: CoreContext, userId: number, inboxId: number): Promise<InboxRule[]> {
  await assertInboxAccess(ctx.db, userId, inboxId);
  return rulesOf(ctx.db, inboxId);
}

const rulesOf = (db: Queryable, inboxId: number) =>
  db
    .select()
    .from(inboxRules)
    .where(eq(inboxRules.inboxId, inboxId))
    .orderBy(asc(inboxRules.position), asc(inboxRules.id));

/** Adds a rule after the inbox's others. Members only. */
export async function createRule(
  ctx: CoreContext,
  userId: number,
  input: RuleInput & { inboxId: number },
): Promise<InboxRule> {
  await assertInboxAccess(ctx.db, userId, input.inboxId);
  const rule = await checkedRule(ctx.db, input.inboxId, input);
  const [count] = await ctx.db
    .select({
      n: sql<number>`count(*)::int`,
      last: sql<number>`coalesce(max(${inboxRules.position}), 0)::int`,
    })
    .from(inboxRules)
    .where(eq(inboxRules.inboxId, input.inboxId));
  if ((count?.n ?? 0) >= MAX_RULES_PER_INBOX)
    throw new AppError("INVALID_INPUT", `An inbox has at most ${MAX_RULES_PER_INBOX} rules`);
  const [row] = await ctx.db
    .insert(inboxRules)
    .values({
      inboxId: input.inboxId,
      name: rule.name,
      enabled: rule.enabled ?? true,
      position: (count?.last ?? 0) + 1,
      conditions: rule.conditions,
      actions: rule.actions,
      createdBy: userId,
      createdAt: nowOf(ctx),
    })
    .returning();
  if (!row) throw new Error("insert into inbox_rules returned nothing");
  return row;
}

async function ruleOf(ctx: CoreContext, userId: number, ruleId: number): Promise<InboxRule> {
  const [row] = await ctx.db.select().from(inboxRules).where(eq(inboxRules.id, ruleId));
  if (!row) throw new AppError("NOT_FOUND", "No such rule");
  await assertInboxAccess(ctx.db, userId, row.inboxId);
  return row;
}

/** Renames, switches on or off, or rewrites a rule. Members only. */
export async function updateRule(
  ctx: CoreContext,
  userId: number,
  input: Partial<RuleInput> & { ruleId: number },
): Promise<InboxRule> {
  const current = await ruleOf(ctx, userId, input.ruleId);
  const rule = await checkedRule(ctx.db, current.inboxId, {
    name: input.name ?? current.name,
    enabled: input.enabled ?? current.enabled,
    conditions: input.conditions ?? current.conditions,
    actions: input.actions ?? (await withoutDeparted(ctx.db, current.inboxId, current.actions)),
  });
  const [row] = await ctx.db
    .update(inboxRules)
    .set({ name: rule.name, enabled: rule.enabled, conditions: rule.conditions, actions: rule.actions })
    .where(eq(inboxRules.id, current.id))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "No such rule");
  return row;
}

export async function deleteRule(ctx: CoreContext, userId: number, ruleId: number): Promise<void> {
  const current = await ruleOf(ctx, userId, ruleId);
  await ctx.db.delete(inboxRules).where(eq(inboxRules.id, current.id));
}

/** Swaps a rule with the one above or below it; returns the inbox's rules in their new order. */
export async function moveRule(
  ctx: CoreContext,
  userId: number,
  input: { ruleId: number; direction: "up" | "down" },
): Promise<InboxRule[]> {
  const current = await ruleOf(ctx, userId, input.ruleId);
  return ctx.db.transaction(async (tx) => {
    const rules = await rulesOf(tx, current.inboxId).for("update");
    const i = rules.findIndex((r) => r.id === current.id);
    const j = input.direction === "up" ? i - 1 : i + 1;
    const [a, b] = [rules[i], rules[j]];
    if (!a || !b) return rules;
    // Numbered afresh in the new order, so positions stay distinct whatever they were.
    [rules[i], rules[j]] = [b, a];
    for (const [k, r] of rules.entries())
      if (r.position !== k + 1)
        await tx
          .update(inboxRules)
          .set({ position: k + 1 })
          .where(eq(inboxRules.id, r.id));
    return rulesOf(tx, current.inboxId);
  });
}

/** The enabled rules of an inbox, in order: what a delivery applies. */
export const enabledRulesOf = (db: Queryable, inboxId: number): Promise<InboxRule[]> =>
  db
    .select()
    .from(inboxRules)
    .where(and(eq(inboxRules.inboxId, inboxId), eq(inboxRules.enabled, true)))
    .orderBy(asc(inboxRules.position), asc(inboxRules.id));

/** Compared as a person reads them: case, and full- against half-width forms, ignored. */
const folded = (text: string) => text.normalize("NFKC").toLowerCase();

const person = (p: { name: string; address: string } | null) => (p ? `${p.name} <${p.address}>` : "");

function fieldText(parsed: ParsedMessage, field: RuleCondition["field"]): string {
  switch (field) {
    case "from":
      return person(parsed.from);
    case "to":
      return [...parsed.to, ...parsed.cc].map(person).join(", ");
    case "subject":
      return parsed.subject;
    case "body":
      return parsed.text.slice(0, BODY_SCAN_CHARS);
  }
}

/** The rules whose every condition the message meets, in order. */
export function matchingRules(rules: InboxRule[], parsed: ParsedMessage): InboxRule[] {
  const texts = new Map<RuleCondition["field"], string>();
  const textOf = (field: RuleCondition["field"]) => {
    let text = texts.get(field);
    if (text === undefined) {
      text = folded(fieldText(parsed, field));
      texts.set(field, text);
    }
    return text;
  };
  return rules.filter(
    (r) => r.conditions.length > 0 && r.conditions.every((c) => textOf(c.field).includes(folded(c.value))),
  );
}

/**
 * Applies the rules to conversations a delivery has just created (in its transaction, inbox
 * locked), each from the customer's message that started it. Each change is logged with the
 * rule's name and no actor. What a rule names that is gone meanwhile (an assignee no longer a
 * member, a deleted label) is skipped: a rule never costs a message its delivery.
 */
export async function applyRulesToNew(
  tx: Tx,
  inboxId: number,
  rules: InboxRule[],
  started: { conversationId: number; parsed: ParsedMessage }[],
): Promise<void> {
  const plans = started.flatMap((s) => {
    const matched = matchingRules(rules, s.parsed);
    return matched.length ? [{ conversationId: s.conversationId, matched }] : [];
  });
  if (!plans.length) return;
  const labelIds = [...new Set(plans.flatMap((p) => p.matched.flatMap((r) => r.actions.labelIds)))];
  const existing = new Set(await labelsStill(tx, inboxId, labelIds));
  const members = new Map<number, boolean>();
  const isMember = async (userId: number) => {
    if (!members.has(userId)) members.set(userId, await canAccessInbox(tx, userId, inboxId));
    return members.get(userId) === true;
  };
  for (const plan of plans) {
    const [conversation] = await tx
      .select()
      .from(conversations)
      .where(eq(conversations.id, plan.conversationId))
      .for("update");
    if (!conversation) continue;
    let assignee: { id: number; rule: string } | null = null;
    let status: { to: Exclude<RuleActions["status"], null>; rule: string } | null = null;
    for (const rule of plan.matched) {
      const a = rule.actions;
      if (a.assigneeId !== null && (await isMember(a.assigneeId)))
        assignee = { id: a.assigneeId, rule: rule.name };
      if (a.status !== null) status = { to: a.status, rule: rule.name };
      const add = a.labelIds.filter((id) => existing.has(id));
      if (add.length) await applyLabels(tx, conversation, null, add, [], rule.name);
    }
    if (assignee) await applyAssignee(tx, conversation, assignee.id, null, "rule", assignee.rule);
    if (status) await applyStatus(tx, conversation, status.to, null, "rule", status.rule);
  }
}
