import type { ConversationStatus } from "@madoguchi/db/schema";
import type { ParsedMessage } from "@madoguchi/mail/parse";
import type { Conversation } from "../conversations/lock";
import type { LookupResult } from "./batch-lookup";

/** A conversation a batch puts messages into: a stored one (locked) or one the batch creates. */
export interface BatchConversation {
  /** For one the batch creates: the id reserved for it. */
  id: number;
  /** The locked row of a stored conversation; null for one this batch creates. */
  row: Conversation | null;
  subject: string;
  normalizedSubject: string;
  customerAddress: string | null;
  customerName: string | null;
  status: ConversationStatus;
  /** As it will be after the messages placed so far: the subject rule compares it. */
  lastMessageAt: Date | null;
}

/** A message of the batch placed before the current one, as the threading rules see it. */
export interface PlacedMessage {
  parsed: ParsedMessage | null;
  at: Date;
  conversation: BatchConversation | null;
}

export interface SubjectKey {
  normalized: string;
  customer: string;
  since: Date;
}

/**
 * The conversation a message belongs to, within one inbox:
 * 1. a message it answers (In-Reply-To / References);
 * 2. a message that answers it (replies can arrive before their parent);
 * 3. subject fallback, only for a reply-prefixed subject from the same customer within
 *    SUBJECT_THREAD_WINDOW_MS, so unrelated "Re: お問い合わせ" mails stay apart.
 * Over the stored rows (looked up for the whole batch, batch-lookup.ts) and the messages placed
 * earlier in the same batch, which the lookup could not see; earlier batch messages count as the
 * newest stored ones, as they would had each message had its own transaction.
 */
export function chooseConversation(
  parsed: ParsedMessage,
  found: LookupResult,
  subject: SubjectKey | null,
  earlier: PlacedMessage[],
  conversations: BatchConversation[],
  stored: Map<number, BatchConversation>,
): BatchConversation | null {
  const ids = new Set([parsed.inReplyTo, ...parsed.references].filter((id): id is string => !!id));
  // 1. A message it answers: the newest by internal date.
  if (ids.size) {
    let best = found.parent
      ? { conversation: stored.get(found.parent.conversationId), at: found.parent.at }
      : null;
    for (const m of earlier) {
      if (m.conversation && m.parsed?.messageId && ids.has(m.parsed.messageId) && (!best || m.at >= best.at))
        best = { conversation: m.conversation, at: m.at };
    }
    if (best?.conversation) return best.conversation;
  }
  // 2. A message that answers it (the reply came first): by In-Reply-To, then by References.
  const messageId = parsed.messageId;
  if (messageId) {
    const byInReplyTo = earlier.find((m) => m.conversation && m.parsed?.inReplyTo === messageId);
    const viaInReplyTo = byInReplyTo?.conversation ?? stored.get(found.childByInReplyTo ?? -1);
    if (viaInReplyTo) return viaInReplyTo;
    const byReferences = earlier.find((m) => m.conversation && m.parsed?.references.includes(messageId));
    const viaReferences = byReferences?.conversation ?? stored.get(found.childByReferences ?? -1);
    if (viaReferences) return viaReferences;
  }
  // 3. Subject fallback: the most recently active matching conversation, counting this batch.
  if (subject) {
    let best = found.subject ? (stored.get(found.subject.conversationId) ?? null) : null;
    for (const c of conversations) {
      if (
        c.normalizedSubject === subject.normalized &&
        c.customerAddress === subject.customer &&
        c.lastMessageAt &&
        c.lastMessageAt > subject.since &&
        (!best?.lastMessageAt || c.lastMessageAt > best.lastMessageAt)
      )
        best = c;
    }
    if (best) return best;
  }
  return null;
}
