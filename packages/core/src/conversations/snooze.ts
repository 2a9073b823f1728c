import type { Tx } from "@madoguchi/db/client";
import { conversations, notifications, users } from "@madoguchi/db/schema";
import { and, asc, eq, inArray, isNotNull, lte } from "drizzle-orm";
import { canAccessInbox } from "../authz";
import { recordChange } from "../changelog";
import { type CoreContext, nowOf } from "../context";
import { AppError } from "../errors";
import type { NotificationView } from "../web/notifications";
import { type Conversation, lockInbox, withConversation } from "./lock";
import { applyStatus, SNOOZE_DUE } from "./status";

// スヌーズ, as Front, Help Scout and yaritori offer it: a conversation put aside until a time. It
// is 保留 meanwhile, and when the time comes it is back to 未対応 with a notification to whoever
// snoozed it (and its assignee). Anything that moves it out of 保留 first ends the snooze: the
// customer writing again, a reply set to move it on, a user (applyStatus logs why).

/** Furthest ahead a conversation may be snoozed. */
export const MAX_SNOOZE_MS = 366 * 24 * 60 * 60 * 1000;
/** Snoozes woken per transaction-by-transaction pass (the rest wait for the next one). */
const WAKE_BATCH = 100;

/**
 * Snoozes a conversation until `until` (保留 meanwhile), or with null takes its snooze off at
 * once (解除: back to 未対応). Members only. Snoozing again moves the time.
 */
export async function snoozeConversation(
  ctx: CoreContext,
  input: { conversationId: number; userId: number; until: Date | null },
): Promise<{ seq: number | null }> {
  const { until } = input;
  if (until) {
    const ahead = until.getTime() - nowOf(ctx).getTime();
    if (!(ahead > 0))
      throw new AppError("INVALID_INPUT", "A snooze must end in the future", { reason: "snooze_in_past" });
    if (ahead > MAX_SNOOZE_MS)
      throw new AppError("INVALID_INPUT", "A snooze may last a year at most", { reason: "snooze_too_far" });
  }
  return withConversation(ctx, input.conversationId, input.userId, async (tx, conversation) => {
    if (!until) {
      if (conversation.snoozedUntil === null) return { seq: null };
      return { seq: await applyStatus(tx, conversation, "open", input.userId) };
    }
    await applyStatus(tx, conversation, "waiting", input.userId, "snoozed");
    return { seq: await markSnoozed(tx, conversation, until, { actorId: input.userId, by: input.userId }) };
  });
}

/**
 * A 保留 conversation snoozed until `until` (set by `by`), logged as `actorId`'s doing, under the
 * conversation's lock the caller holds: a user snoozing it, or a reply taken back giving its
 * snooze back.
 */
export async function markSnoozed(
  tx: Tx,
  conversation: Conversation,
  until: Date,
  who: { actorId: number; by: number | null },
): Promise<number> {
  const seq = await recordChange(tx, {
    inboxId: conversation.inboxId,
    kind: "snooze_changed",
    conversationId: conversation.id,
    actorId: who.actorId,
    data: { until: until.toISOString() },
  });
  await tx
    .update(conversations)
    .set({ snoozedUntil: until, snoozedBy: who.by, lastSeq: seq })
    .where(eq(conversations.id, conversation.id));
  conversation.snoozedUntil = until;
  conversation.snoozedBy = who.by;
  conversation.lastSeq = seq;
  return seq;
}

/** A snooze that ended, for the notifications written about it. */
interface Woken {
  conversation: Conversation;
  snoozedBy: number | null;
}

/**
 * Ends every snooze whose time has come: each conversation back to 未対応 (logged as its snooze
 * being due), and a notification to who snoozed it and to its assignee, if still members of the
 * inbox. Safe to run from several processes at once: a conversation is woken under its lock, by
 * whichever gets there first. Returns the notifications, for the caller to push.
 */
export async function wakeDueSnoozes(ctx: CoreContext): Promise<NotificationView[]> {
  const now = nowOf(ctx);
  const due = await ctx.db
    .select({ id: conversations.id, inboxId: conversations.inboxId })
    .from(conversations)
    .where(and(isNotNull(conversations.snoozedUntil), lte(conversations.snoozedUntil, now)))
    .orderBy(asc(conversations.snoozedUntil))
    .limit(WAKE_BATCH);
  const woken: Woken[] = [];
  for (const { id, inboxId } of due) {
    const one = await ctx.db.transaction(async (tx): Promise<Woken | null> => {
      await lockInbox(tx, inboxId);
      const [conversation] = await tx
        .select()
        .from(conversations)
        .where(eq(conversations.id, id))
        .for("update");
      if (!conversation?.snoozedUntil || conversation.snoozedUntil > now) return null;
      const snoozedBy = conversation.snoozedBy;
      await applyStatus(tx, conversation, "open", null, SNOOZE_DUE);
      return { conversation, snoozedBy };
    });
    if (one) woken.push(one);
  }
  return notifyWoken(ctx, woken, now);
}

async function notifyWoken(ctx: CoreContext, woken: Woken[], now: Date): Promise<NotificationView[]> {
  const wanted = woken.flatMap((w) =>
    [...new Set([w.snoozedBy, w.conversation.assigneeId])]
      .filter((userId): userId is number => userId !== null)
      .map((userId) => ({ userId, w })),
  );
  if (!wanted.length) return [];
  // Who may still work the inbox, by the one rule (authz): a member, and an active user.
  const allowed = await Promise.all(
    wanted.map(({ userId, w }) => canAccessInbox(ctx.db, userId, w.conversation.inboxId)),
  );
  const rows = wanted
    .filter((_, i) => allowed[i])
    .map(({ userId, w }) => ({
      userId,
      kind: "snooze_ended" as const,
      inboxId: w.conversation.inboxId,
      conversationId: w.conversation.id,
      actorId: w.snoozedBy,
      createdAt: now,
    }));
  if (!rows.length) return [];
  const inserted = await ctx.db.insert(notifications).values(rows).returning();
  const snoozers = [...new Set(woken.map((w) => w.snoozedBy).filter((id) => id !== null))];
  const names = snoozers.length
    ? await ctx.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, snoozers))
    : [];
  return inserted.map((n) => ({
    ...n,
    actorName: names.find((u) => u.id === n.actorId)?.name ?? null,
    subject: woken.find((w) => w.conversation.id === n.conversationId)?.conversation.subject ?? "",
  }));
}
