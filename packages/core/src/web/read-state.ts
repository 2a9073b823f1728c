import { conversationReads } from "@madoguchi/db/schema";
import { sql } from "drizzle-orm";
import type { CoreContext } from "../context";
import { getConversation } from "../conversations/lock";

/**
 * Marks a conversation read for one user up to `seq` (default: its latest change), or unread
 * (`read: false`). Read state is per user and never lowers by accident: a late "read up to 5"
 * after "read up to 9" keeps 9.
 */
export async function markConversationRead(
  ctx: CoreContext,
  input: { userId: number; conversationId: number; seq?: number; read?: boolean },
): Promise<{ readSeq: number }> {
  const conversation = await getConversation(ctx, input.conversationId, input.userId);
  if (input.read === false) {
    await ctx.db
      .insert(conversationReads)
      .values({ conversationId: conversation.id, userId: input.userId, readSeq: 0 })
      .onConflictDoUpdate({
        target: [conversationReads.conversationId, conversationReads.userId],
        set: { readSeq: 0 },
      });
    return { readSeq: 0 };
  }
  const seq = Math.min(input.seq ?? conversation.lastSeq, conversation.lastSeq);
  const [row] = await ctx.db
    .insert(conversationReads)
    .values({ conversationId: conversation.id, userId: input.userId, readSeq: seq })
    .onConflictDoUpdate({
      target: [conversationReads.conversationId, conversationReads.userId],
      set: { readSeq: sql`greatest(${conversationReads.readSeq}, excluded.read_seq)` },
    })
    .returning({ readSeq: conversationReads.readSeq });
  return { readSeq: row?.readSeq ?? seq };
}
