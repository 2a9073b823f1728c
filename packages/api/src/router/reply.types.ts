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

export const sendInput = z.object({
  conversationId: id,
  /** conversation.get's lastSeq (or a later one the client caught up to): what the author has seen. */
  basedOnSeq: seq,
  to: z.array(recipient).min(1).max(100),
  cc: z.array(recipient).max(100).default([]),
  bcc: z.array(recipient).max(100).default([]),
  subject: z.string().max(998),
  bodyText: z.string().max(2_000_000),
  bodyHtml: z.string().max(5_000_000).optional(),
  /** Send although the guard refused before: explicit and audited (reply_sent.override). */
  override: z.boolean().default(false),
  /** Status to set after sending (default: the inbox's statusOnReply, normally 対応済み). */
  statusAfter: z.enum(conversationStatuses).optional(),
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
});
