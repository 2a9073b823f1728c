import type { Tx } from "@madoguchi/db/client";
import { autoReplies } from "@madoguchi/db/schema";
import type { ParsedMessage } from "@madoguchi/mail/parse";

/** A conversation a customer's mail to INBOX started, with that mail. */
export interface Inquiry {
  conversationId: number;
  messageId: number;
  parsed: ParsedMessage;
  /** SMTP MAIL FROM; null for a bounce's empty one, undefined when it did not come by SMTP. */
  mailFrom: string | null | undefined;
  /** When it arrived (whether that was in business hours is asked of this). */
  at: Date;
}

/**
 * In the delivery's transaction, one pending 自動返信 per new inquiry that came by SMTP from a
 * sender. Mail a user put in INBOX over IMAP or a connector fetched is nobody's new inquiry to
 * acknowledge, and a bounce (empty MAIL FROM) is never answered (RFC 3834 §2). Whether it is
 * sent at all is decided later, off the delivery's path (auto-reply.ts).
 */
export async function recordAutoReplies(tx: Tx, inboxId: number, inquiries: Inquiry[]): Promise<void> {
  const rows = inquiries.flatMap((i) =>
    i.mailFrom
      ? [
          {
            conversationId: i.conversationId,
            inboxId,
            messageId: i.messageId,
            mailFrom: i.mailFrom,
            createdAt: i.at,
          },
        ]
      : [],
  );
  if (rows.length) await tx.insert(autoReplies).values(rows).onConflictDoNothing();
}
