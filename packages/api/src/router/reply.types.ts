import { conversationStatuses } from "@madoguchi/db/schema";
import { z } from "zod";

export const id = z.number().int().positive();
export const seq = z.number().int().nonnegative();
export const clientMutationId = z.string().min(1).max(100).optional();

// Deliberately loose (RFC 5322 allows much); the SMTP side refuses what it cannot deliver.
const ADDRESS_RE = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/;
export const recipient = z.object({
  address: z.string().trim().max(254).regex(ADDRESS_RE, "Not an email address"),
  name: z.string().max(200).optional(),
});

/** What every composed message carries: recipients, text, and the status to set after it. */
export const messageInput = z.object({
  to: z.array(recipient).min(1).max(100),
  cc: z.array(recipient).max(100).default([]),
  bcc: z.array(recipient).max(100).default([]),
  subject: z.string().max(998),
  bodyText: z.string().max(2_000_000),
  bodyHtml: z.string().max(5_000_000).optional(),
  /** Status to set after sending (default: the inbox's statusOnReply, normally 対応済み). */
  statusAfter: z.enum(conversationStatuses).optional(),
  /** 送信予約: held until then (at most MAX_SCHEDULE_DAYS ahead) instead of the undo window. */
  sendAt: z.iso.datetime({ offset: true }).optional(),
});

export const sendInput = messageInput.extend({
  conversationId: id,
  /** conversation.get's lastSeq (or a later one the client caught up to): what the author has seen. */
  basedOnSeq: seq,
  /** Send anyway after the guard refused before: explicit and audited (reply_sent.override). */
  override: z.boolean().default(false),
  clientMutationId,
});

/** 転送: the message forwarded (its attachments go along) and the author's text above the quote. */
export const forwardInput = sendInput.omit({ override: true }).extend({
  messageId: id,
  /** The original's attachments go along unless the author removed them. */
  withAttachments: z.boolean().default(true),
});

/** 新規作成 from a shared address the user is a member of. */
export const newMessageInput = messageInput.extend({
  inboxId: id,
  /** The saved new-message draft: its uploaded files go along, and it is held with the send. */
  draftId: id.optional(),
  clientMutationId,
});

export const draftContent = z.object({
  subject: z.string().max(998).optional(),
  to: z.array(z.string().max(254)).max(100).optional(),
  cc: z.array(z.string().max(254)).max(100).optional(),
  bcc: z.array(z.string().max(254)).max(100).optional(),
  bodyText: z.string().max(500_000).optional(),
  bodyHtml: z.string().max(900_000).optional(),
  format: z.enum(["plain", "markdown"]).optional(),
  /** A forward being written: which message, and whether its attachments go along. */
  forward: z.object({ messageId: id, withAttachments: z.boolean() }).optional(),
});
