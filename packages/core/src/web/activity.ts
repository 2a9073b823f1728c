import {
  type AutoReplySkipReason,
  autoReplySkipReasons,
  type ChangeKind,
  type ConversationStatus,
  changes,
  users,
} from "@madoguchi/db/schema";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { CoreContext } from "../context";
import type { Conversation } from "../conversations/lock";

/** Change kinds shown as the activity line of a conversation. */
export const ACTIVITY_KINDS = [
  "conversation_created",
  "message_added",
  "status_changed",
  "assignee_changed",
  "junk_changed",
  "labels_changed",
  "snooze_changed",
  "comment_added",
  "comment_deleted",
  "reply_claimed",
  "reply_sent",
  "reply_refused",
  "reply_cancelled",
  "auto_reply",
] as const satisfies readonly ChangeKind[];
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** Bound on activity entries returned: the newest ones win. */
const MAX_ACTIVITY = 500;

export type ActivityItem = {
  seq: number;
  at: Date;
  actor: { id: number; name: string } | null;
} & (
  | {
      kind: "status_changed";
      from: ConversationStatus;
      to: ConversationStatus;
      reason: string | null;
      /** The 自動振り分け rule that made it (no actor then); also on the two below. */
      rule: string | null;
    }
  | {
      kind: "assignee_changed";
      from: { id: number; name: string } | null;
      to: { id: number; name: string } | null;
      rule: string | null;
    }
  | { kind: "junk_changed"; junk: boolean; moved: boolean }
  | { kind: "labels_changed"; added: string[]; removed: string[]; rule: string | null }
  | {
      kind: "snooze_changed";
      /** Snoozed until then; null: the snooze ended. */
      until: string | null;
      /** Why it ended: its time came, the customer wrote; null: a user took it off. */
      reason: "due" | "customer_wrote" | null;
    }
  | { kind: "reply_sent"; override: boolean }
  | { kind: "reply_refused"; conflictKind: string | null }
  | { kind: "message_added"; direction: "inbound" | "outbound"; messageId: number | null }
  | {
      kind: "conversation_created" | "comment_added" | "comment_deleted" | "reply_claimed";
    }
  | {
      kind: "auto_reply";
      /** Sent to this address; null: not sent, for `skipped`. */
      to: string | null;
      skipped: AutoReplySkipReason | null;
    }
  | {
      kind: "reply_cancelled";
      /** "customer_wrote": a 送信予約 taken back because the customer wrote meanwhile. */
      reason: string | null;
    }
);

const names = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

const ruleOf = (data: Record<string, unknown>): string | null =>
  typeof data.rule === "string" ? data.rule : null;

/** Who did what to a conversation and when, oldest first, read from the change log. */
export async function conversationActivity(
  ctx: CoreContext,
  conversation: Conversation,
): Promise<ActivityItem[]> {
  const rows = await ctx.db
    .select()
    .from(changes)
    .where(
      and(
        eq(changes.conversationId, conversation.id),
        eq(changes.inboxId, conversation.inboxId),
        inArray(changes.kind, [...ACTIVITY_KINDS]),
      ),
    )
    .orderBy(asc(changes.seq));
  const recent = rows.slice(-MAX_ACTIVITY);
  const ids = new Set<number>();
  for (const r of recent) {
    if (r.actorId !== null) ids.add(r.actorId);
    if (r.kind === "assignee_changed") {
      for (const k of ["from", "to"]) if (typeof r.data[k] === "number") ids.add(r.data[k] as number);
    }
  }
  const people = ids.size
    ? await ctx.db
        .select({ id: users.id, name: users.name })
        .from(users)
        .where(inArray(users.id, [...ids]))
    : [];
  const person = (id: unknown) => {
    if (typeof id !== "number") return null;
    return { id, name: people.find((p) => p.id === id)?.name ?? "?" };
  };
  return recent.map((r): ActivityItem => {
    const base = { seq: r.seq, at: r.createdAt, actor: person(r.actorId) };
    const d = r.data;
    switch (r.kind) {
      case "status_changed":
        return {
          ...base,
          kind: r.kind,
          from: d.from as ConversationStatus,
          to: d.to as ConversationStatus,
          reason: typeof d.reason === "string" ? d.reason : null,
          rule: ruleOf(d),
        };
      case "assignee_changed":
        return { ...base, kind: r.kind, from: person(d.from), to: person(d.to), rule: ruleOf(d) };
      case "junk_changed":
        return { ...base, kind: r.kind, junk: d.junk === true, moved: d.reason === "moved" };
      case "reply_cancelled":
        return { ...base, kind: r.kind, reason: typeof d.reason === "string" ? d.reason : null };
      case "labels_changed":
        return { ...base, kind: r.kind, added: names(d.added), removed: names(d.removed), rule: ruleOf(d) };
      case "snooze_changed":
        return {
          ...base,
          kind: r.kind,
          until: typeof d.until === "string" ? d.until : null,
          reason: d.reason === "due" || d.reason === "customer_wrote" ? d.reason : null,
        };
      case "reply_sent":
        return { ...base, kind: r.kind, override: d.override === true };
      case "auto_reply":
        return {
          ...base,
          kind: r.kind,
          to: typeof d.to === "string" ? d.to : null,
          skipped: (autoReplySkipReasons as readonly unknown[]).includes(d.skipped)
            ? (d.skipped as AutoReplySkipReason)
            : null,
        };
      case "reply_refused":
        return {
          ...base,
          kind: r.kind,
          conflictKind: typeof d.conflictKind === "string" ? d.conflictKind : null,
        };
      case "message_added":
        return {
          ...base,
          kind: r.kind,
          direction: d.direction === "outbound" ? "outbound" : "inbound",
          messageId: r.messageId,
        };
      default:
        return { ...base, kind: r.kind as "conversation_created" };
    }
  });
}
