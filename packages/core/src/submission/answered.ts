import type { Queryable } from "@madoguchi/db/client";
import { changes, messages } from "@madoguchi/db/schema";
import type { ParsedMessage } from "@madoguchi/mail/parse";
import { and, asc, eq, inArray, isNotNull } from "drizzle-orm";

export interface AnsweredMessage {
  messageId: number;
  conversationId: number;
  /**
   * The change-log seq at which the answered message arrived. A mail client shows no team
   * state, so "what the author had seen" is taken to be exactly that message: any reply,
   * comment or customer message after it makes the answer stale.
   */
  seenSeq: number;
}

/**
 * The stored message a submitted mail answers, within the sending inbox: the In-Reply-To
 * target if stored, else the nearest stored entry of References (the last one is the parent).
 */
export async function findAnsweredMessage(
  db: Queryable,
  inboxId: number,
  parsed: Pick<ParsedMessage, "inReplyTo" | "references">,
): Promise<AnsweredMessage | undefined> {
  const order = [parsed.inReplyTo, ...[...parsed.references].reverse()].filter((id): id is string => !!id);
  if (!order.length) return undefined;
  const rows = await db
    .select({ id: messages.id, conversationId: messages.conversationId, header: messages.messageIdHeader })
    .from(messages)
    .where(
      and(
        eq(messages.inboxId, inboxId),
        inArray(messages.messageIdHeader, order),
        isNotNull(messages.conversationId),
      ),
    );
  const found = order.map((id) => rows.find((r) => r.header === id)).find((r) => r !== undefined);
  if (!found?.conversationId) return undefined;
  // Flag changes move messages.modseq forward (\Answered is set at the reply's seq), so the
  // arrival seq is read from the change log, not from the message row.
  const [arrival] = await db
    .select({ seq: changes.seq })
    .from(changes)
    .where(
      and(eq(changes.inboxId, inboxId), eq(changes.messageId, found.id), eq(changes.kind, "message_added")),
    )
    .orderBy(asc(changes.seq))
    .limit(1);
  if (!arrival) return undefined;
  return { messageId: found.id, conversationId: found.conversationId, seenSeq: arrival.seq };
}
