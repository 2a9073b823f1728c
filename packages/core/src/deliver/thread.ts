import type { Tx } from "@madoguchi/db/client";
import { conversations, messages } from "@madoguchi/db/schema";
import type { ParsedMessage } from "@madoguchi/mail/parse";
import { hasReplyPrefix, normalizeSubject, SUBJECT_THREAD_WINDOW_MS } from "@madoguchi/mail/threading";
import { and, desc, eq, gt, inArray, isNotNull, sql } from "drizzle-orm";

/**
 * Finds the conversation a new message belongs to, within one inbox:
 * 1. a stored message it answers (In-Reply-To / References);
 * 2. a stored message that answers it (replies can arrive before their parent);
 * 3. subject fallback, only for a reply-prefixed subject from the same customer within
 *    SUBJECT_THREAD_WINDOW_MS, so unrelated "Re: お問い合わせ" mails stay apart.
 */
export async function findConversation(
  tx: Tx,
  inboxId: number,
  parsed: ParsedMessage,
  customerAddress: string | null,
  now: Date,
): Promise<number | null> {
  const ids = [...new Set([parsed.inReplyTo, ...parsed.references].filter((id): id is string => !!id))];
  if (ids.length) {
    const [parent] = await tx
      .select({ conversationId: messages.conversationId })
      .from(messages)
      .where(
        and(
          eq(messages.inboxId, inboxId),
          inArray(messages.messageIdHeader, ids),
          isNotNull(messages.conversationId),
        ),
      )
      .orderBy(desc(messages.internalDate))
      .limit(1);
    if (parent?.conversationId) return parent.conversationId;
  }
  if (parsed.messageId) {
    // Two lookups rather than one OR, so each uses its index (btree on In-Reply-To, GIN on References).
    for (const match of [
      eq(messages.inReplyTo, parsed.messageId),
      sql`${messages.references} @> ${JSON.stringify([parsed.messageId])}::jsonb`,
    ]) {
      const [child] = await tx
        .select({ conversationId: messages.conversationId })
        .from(messages)
        .where(and(eq(messages.inboxId, inboxId), isNotNull(messages.conversationId), match))
        .limit(1);
      if (child?.conversationId) return child.conversationId;
    }
  }
  const normalized = normalizeSubject(parsed.subject);
  if (customerAddress && normalized && hasReplyPrefix(parsed.subject)) {
    const [match] = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(
        and(
          eq(conversations.inboxId, inboxId),
          eq(conversations.normalizedSubject, normalized),
          eq(conversations.customerAddress, customerAddress),
          gt(conversations.lastMessageAt, new Date(now.getTime() - SUBJECT_THREAD_WINDOW_MS)),
        ),
      )
      .orderBy(desc(conversations.lastMessageAt))
      .limit(1);
    if (match) return match.id;
  }
  return null;
}
