import { conversationReads } from "@madoguchi/db/schema";
import { sql } from "drizzle-orm";
import type { CoreContext } from "../context";
import { withConversation } from "../conversations/lock";
import { setConversationSeen } from "./read-seen";

/**
 * Marks a conversation read for one user up to `seq` (default: its latest change), or unread
 * (`read: false`). Read state is per user and never lowers by accident: a late "read up to 5"
 * after "read up to 9" keeps 9. It is the user's IMAP \Seen too (see read-seen.ts): `seenSeq`
 * is the change-log seq of the flag change, null when no message's \Seen moved.
 */
export async function markConversationRead(
  ctx: CoreContext,
  input: { userId: number; conversationId: number; seq?: number; read?: boolean },
): Promise<{ readSeq: number; seenSeq: number | null }> {
  return withConversation(ctx, input.conversationId, input.userId, async (tx, conversation) => {
    if (input.read === false) {
      await tx
        .insert(conversationReads)
        .values({ conversationId: conversation.id, userId: input.userId, readSeq: 0 })
        .onConflictDoUpdate({
          target: [conversationReads.conversationId, conversationReads.userId],
          set: { readSeq: 0 },
        });
      const seenSeq = await setConversationSeen(tx, { userId: input.userId, conversation, seen: false });
      return { readSeq: 0, seenSeq };
    }
    const seq = Math.min(input.seq ?? conversation.lastSeq, conversation.lastSeq);
    const [row] = await tx
      .insert(conversationReads)
      .values({ conversationId: conversation.id, userId: input.userId, readSeq: seq })
      .onConflictDoUpdate({
        target: [conversationReads.conversationId, conversationReads.userId],
        set: { readSeq: sql`greatest(${conversationReads.readSeq}, excluded.read_seq)` },
      })
      .returning({ readSeq: conversationReads.readSeq });
    const seenSeq = await setConversationSeen(tx, {
      userId: input.userId,
      conversation,
      seen: true,
      upToSeq: seq,
    });
    return { readSeq: row?.readSeq ?? seq, seenSeq };
  });
}
