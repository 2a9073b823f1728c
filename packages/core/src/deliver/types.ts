import type { MessageDirection } from "@madoguchi/db/schema";
import type { ParsedMessage } from "@madoguchi/mail/parse";

export interface Envelope {
  mailFrom?: string | null;
  rcptTo?: string[];
  remoteAddress?: string;
  /** SPF/DKIM/DMARC verdict, stored for the UI badge. */
  authResults?: Record<string, unknown>;
  /** Target folder; INBOX by default. */
  mailbox?: string;
  direction?: MessageDirection;
  /** Initial shared flags (\Flagged, \Answered, \Draft); \Seen is per user and ignored here. */
  flags?: string[];
  /** Initial keywords (IMAP APPEND). */
  keywords?: string[];
  internalDate?: Date;
  actorId?: number | null;
  /** Users for whom the message starts \Seen (IMAP APPEND with \Seen, one's own sent mail). */
  seenBy?: number[];
  /**
   * Skip the "same Message-ID and bytes already in this inbox" check. IMAP APPEND and COPY
   * store what the client asked for, even twice; only deliveries from outside deduplicate.
   */
  allowDuplicate?: boolean;
}

export interface DeliverResult {
  messageId: number;
  conversationId: number | null;
  mailboxId: number;
  uid: number;
  seq: number;
  blobHash: string;
  duplicate: boolean;
}

/**
 * A message whose blob is stored (or being synced: `synced`) and whose headers are parsed: all
 * that is left is the transaction.
 */
export interface PreparedDelivery {
  blob: { hash: string; size: number };
  /** See PreparedContent.synced: the transaction does not commit before it resolves. */
  synced?: Promise<void>;
  parsed: ParsedMessage | null;
  parseError: string | null;
  envelope: Envelope;
  direction: MessageDirection;
  now: Date;
}
