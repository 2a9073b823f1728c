import { type ActivityItem, conversationView, isAutoReply, type ViewMessage } from "@madoguchi/core";
import { protectedProcedure } from "../../trpc";
import { authBadge } from "../../view/auth-badge";
import { iso, isoOrNull } from "../../view/iso";
import { sanitizeMailHtml } from "../../view/sanitize";
import { getInput } from "./conversation.types";

/** Where the browser downloads attachment `index` of stored message `messageId` (http/attachment.ts). */
export const attachmentUrl = (messageId: number, index: number, inline = false) =>
  `/api/attachments/${messageId}/${index}${inline ? "?inline=1" : ""}`;

function messageView(m: ViewMessage, allowRemote: boolean) {
  const safe = m.html
    ? sanitizeMailHtml(m.html, {
        allowRemote,
        cidUrl: (cid) => {
          const a = m.attachments.find((x) => x.contentId === cid);
          return a ? attachmentUrl(m.id, a.index, true) : null;
        },
      })
    : null;
  return {
    id: m.id,
    direction: m.direction,
    mailbox: m.mailbox,
    messageIdHeader: m.messageIdHeader,
    subject: m.subject,
    from: m.from,
    to: m.to,
    cc: m.cc,
    date: isoOrNull(m.date),
    receivedAt: iso(m.internalDate),
    text: m.text,
    /** Sanitized: no script, no handlers; remote images replaced unless allowRemote. Render in a sandboxed iframe. */
    html: safe?.html ?? null,
    remoteImagesBlocked: safe?.remoteImagesBlocked ?? 0,
    attachments: m.attachments.map((a) => ({
      index: a.index,
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      inline: a.inline,
      contentId: a.contentId,
      url: attachmentUrl(m.id, a.index),
    })),
    auth: authBadge(m.authResults),
    parseError: m.parseError,
    /** An 自動返信 the server sent, not a person's reply. */
    autoReply: isAutoReply(m),
  };
}

const activityView = (a: ActivityItem) => ({ ...a, at: iso(a.at) });

/** The conversation screen: messages in order, chat, activity, and the seq to base a reply on. */
export const get = protectedProcedure.input(getInput).query(async ({ ctx, input }) => {
  const v = await conversationView(ctx.ctx, ctx.user.id, input.conversationId);
  const c = v.conversation;
  const claimActive =
    c.replyClaimUserId !== null && c.replyClaimExpiresAt && c.replyClaimExpiresAt > new Date();
  return {
    conversation: {
      id: c.id,
      inboxId: c.inboxId,
      subject: c.subject,
      customer: { name: c.customerName, address: c.customerAddress },
      status: c.status,
      junk: c.junk,
      labels: v.labels,
      snooze: c.snoozedUntil ? { until: iso(c.snoozedUntil), by: v.snoozedBy } : null,
      assignee: c.assigneeId !== null ? { id: c.assigneeId, name: v.assigneeName ?? "?" } : null,
      replyClaim:
        claimActive && c.replyClaimUserId !== null && c.replyClaimExpiresAt
          ? { id: c.replyClaimUserId, name: v.replyClaimName ?? "?", expiresAt: iso(c.replyClaimExpiresAt) }
          : null,
      messageCount: c.messageCount,
      lastMessageAt: isoOrNull(c.lastMessageAt),
      createdAt: iso(c.createdAt),
      /** Send this as reply.send's basedOnSeq: the state the author has seen. */
      lastSeq: c.lastSeq,
    },
    readSeq: v.readSeq,
    /** Who reply.send sends from: the inbox address or alias the customer wrote to. */
    replyFrom: v.replyFrom,
    /** The team's sends still held (送信予約 or the undo window): who, and when they go. */
    scheduled: v.scheduled.map((s) => ({ ...s, releaseAt: iso(s.releaseAt) })),
    unread: c.guardSeq > v.readSeq,
    messages: v.messages.map((m) => messageView(m, input.allowRemote)),
    comments: v.comments.map((cm) => ({
      id: cm.id,
      author: cm.author,
      body: cm.body,
      mentions: cm.mentions,
      createdAt: iso(cm.createdAt),
      editedAt: isoOrNull(cm.editedAt),
      deleted: cm.deletedAt !== null,
    })),
    activity: v.activity.map(activityView),
  };
});
