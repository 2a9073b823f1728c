import {
  type ConversationPage,
  type ConversationRow,
  listAssignedConversations,
  listConversations,
} from "@madoguchi/core";
import { protectedProcedure } from "../../trpc";
import { iso, isoOrNull } from "../../view/iso";
import { assignedInput, listInput } from "./conversation.types";

const rowView = (r: ConversationRow) => ({
  id: r.id,
  inboxId: r.inboxId,
  subject: r.subject,
  snippet: r.snippet,
  customer: r.customer,
  sender: r.sender,
  lastMessageAt: isoOrNull(r.lastMessageAt),
  status: r.status,
  assignee: r.assignee,
  unread: r.unread,
  lastSeq: r.lastSeq,
  messageCount: r.messageCount,
  hasAttachments: r.hasAttachments,
  scheduledAt: isoOrNull(r.scheduledAt),
  snoozedUntil: isoOrNull(r.snoozedUntil),
  labels: r.labels,
  replyClaim: r.replyClaim ? { ...r.replyClaim, expiresAt: iso(r.replyClaim.expiresAt) } : null,
});

const pageView = (page: ConversationPage) => ({
  rows: page.rows.map(rowView),
  nextCursor: page.nextCursor,
  counts: page.counts,
});

/** One page, newest first; `counts` (per status, same filters) on the first page only. */
export const list = protectedProcedure
  .input(listInput)
  .query(async ({ ctx, input }) => pageView(await listConversations(ctx.ctx, ctx.user.id, input)));

/** "Assigned to me" in every inbox the caller works: the same page shape as `list`. */
export const assigned = protectedProcedure
  .input(assignedInput)
  .query(async ({ ctx, input }) => pageView(await listAssignedConversations(ctx.ctx, ctx.user.id, input)));
