import type { Tx } from "@madoguchi/db/client";
import { conversations } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { canAccessInbox } from "../authz";
import { recordChange } from "../changelog";
import type { CoreContext } from "../context";
import { AppError } from "../errors";
import { type Conversation, withConversation } from "./lock";
import { touchConversationMessages } from "./touch-messages";

/** Sets the assignee of a locked conversation and logs it; no-op when unchanged. */
export async function applyAssignee(
  tx: Tx,
  conversation: Conversation,
  assigneeId: number | null,
  actorId: number | null,
  reason?: string,
  /** The 自動振り分け rule that made the change (actorId null then). */
  rule?: string,
): Promise<number | null> {
  if (conversation.assigneeId === assigneeId) return null;
  if (assigneeId !== null && !(await canAccessInbox(tx, assigneeId, conversation.inboxId))) {
    throw new AppError("INVALID_INPUT", "The assignee is not a member of this inbox");
  }
  const seq = await recordChange(tx, {
    inboxId: conversation.inboxId,
    kind: "assignee_changed",
    conversationId: conversation.id,
    actorId,
    data: {
      from: conversation.assigneeId,
      to: assigneeId,
      ...(reason ? { reason } : {}),
      ...(rule ? { rule } : {}),
    },
  });
  await tx
    .update(conversations)
    .set({ assigneeId, lastSeq: seq })
    .where(eq(conversations.id, conversation.id));
  await touchConversationMessages(tx, conversation.id, seq);
  conversation.assigneeId = assigneeId;
  conversation.lastSeq = seq;
  return seq;
}

/** Sets or clears (null) the one assignee; the assignee must be a member of the inbox. */
export async function assignConversation(
  ctx: CoreContext,
  input: { conversationId: number; userId: number; assigneeId: number | null },
): Promise<{ seq: number | null }> {
  return withConversation(ctx, input.conversationId, input.userId, async (tx, conversation) => ({
    seq: await applyAssignee(tx, conversation, input.assigneeId, input.userId),
  }));
}
