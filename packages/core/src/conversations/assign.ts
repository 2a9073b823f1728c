import { conversations } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { canAccessInbox } from "../authz";
import { recordChange } from "../changelog";
import type { CoreContext } from "../context";
import { AppError } from "../errors";
import { withConversation } from "./lock";

/** Sets or clears (null) the one assignee; the assignee must be a member of the inbox. */
export async function assignConversation(
  ctx: CoreContext,
  input: { conversationId: number; userId: number; assigneeId: number | null },
): Promise<{ seq: number | null }> {
  return withConversation(ctx, input.conversationId, input.userId, async (tx, conversation) => {
    if (conversation.assigneeId === input.assigneeId) return { seq: null };
    if (input.assigneeId !== null && !(await canAccessInbox(tx, input.assigneeId, conversation.inboxId))) {
      throw new AppError("INVALID_INPUT", "The assignee is not a member of this inbox");
    }
    const seq = await recordChange(tx, {
      inboxId: conversation.inboxId,
      kind: "assignee_changed",
      conversationId: conversation.id,
      actorId: input.userId,
      data: { from: conversation.assigneeId, to: input.assigneeId },
    });
    await tx
      .update(conversations)
      .set({ assigneeId: input.assigneeId, lastSeq: seq })
      .where(eq(conversations.id, conversation.id));
    return { seq };
  });
}
