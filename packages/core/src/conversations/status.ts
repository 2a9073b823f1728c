import type { Tx } from "@madoguchi/db/client";
import { type ConversationStatus, conversationStatuses, conversations } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { recordChange } from "../changelog";
import type { CoreContext } from "../context";
import { AppError } from "../errors";
import { type Conversation, withConversation } from "./lock";
import { touchConversationMessages } from "./touch-messages";

export const statusLabels: Record<ConversationStatus, { ja: string; en: string }> = {
  open: { ja: "未対応", en: "Open" },
  in_progress: { ja: "対応中", en: "In progress" },
  waiting: { ja: "保留", en: "Waiting" },
  done: { ja: "対応済み", en: "Done" },
};

export function parseStatus(input: string): ConversationStatus {
  const found = conversationStatuses.find((s) => s === input || statusLabels[s].ja === input);
  if (!found)
    throw new AppError("INVALID_INPUT", `Unknown status "${input}" (open, in_progress, waiting, done)`);
  return found;
}

/**
 * Why a スヌーズ ended, as its snooze_changed logs it: its time came ("due"), the customer wrote
 * ("customer_wrote"), a reply went out with the inbox set to move it on ("reply_sent"); null: a
 * user took it off (解除, or set another status).
 */
function snoozeEndReason(statusReason: string | undefined): string | null {
  if (statusReason === SNOOZE_DUE) return "due";
  return statusReason ?? null;
}

/** The status change reason of a スヌーズ whose time came. */
export const SNOOZE_DUE = "snooze_due";

/**
 * Moves a locked conversation to `status` and logs it; no-op when already there. Leaving 保留
 * ends its スヌーズ, if any, logged first: the status change it brings follows it.
 */
export async function applyStatus(
  tx: Tx,
  conversation: Conversation,
  status: ConversationStatus,
  actorId: number | null,
  reason?: string,
  /** The 自動振り分け rule that made the change (actorId null then). */
  rule?: string,
): Promise<number | null> {
  if (conversation.status === status) return null;
  const endsSnooze = status !== "waiting" && conversation.snoozedUntil !== null;
  if (endsSnooze) {
    await recordChange(tx, {
      inboxId: conversation.inboxId,
      kind: "snooze_changed",
      conversationId: conversation.id,
      actorId,
      data: { until: null, reason: snoozeEndReason(reason) },
    });
  }
  const seq = await recordChange(tx, {
    inboxId: conversation.inboxId,
    kind: "status_changed",
    conversationId: conversation.id,
    actorId,
    data: { from: conversation.status, to: status, ...(reason ? { reason } : {}), ...(rule ? { rule } : {}) },
  });
  await tx
    .update(conversations)
    .set({ status, lastSeq: seq, ...(endsSnooze ? { snoozedUntil: null, snoozedBy: null } : {}) })
    .where(eq(conversations.id, conversation.id));
  await touchConversationMessages(tx, conversation.id, seq);
  if (endsSnooze) {
    conversation.snoozedUntil = null;
    conversation.snoozedBy = null;
  }
  conversation.status = status;
  conversation.lastSeq = seq;
  return seq;
}

export async function setStatus(
  ctx: CoreContext,
  input: { conversationId: number; userId: number; status: ConversationStatus },
): Promise<{ seq: number | null }> {
  return withConversation(ctx, input.conversationId, input.userId, async (tx, conversation) => ({
    seq: await applyStatus(tx, conversation, input.status, input.userId),
  }));
}
