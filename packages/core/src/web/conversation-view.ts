import {
  type AddressJson,
  type AttachmentJson,
  comments,
  conversationReads,
  type MessageDirection,
  mailboxes,
  messages,
  users,
} from "@madoguchi/db/schema";
import { parseMessage } from "@madoguchi/mail/parse";
import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { CoreContext } from "../context";
import { type LabelRef, labelsOf } from "../conversations/labels";
import type { Conversation } from "../conversations/lock";
import { getConversation } from "../conversations/lock";
import { getInbox } from "../directory/inboxes";
import { type ActivityItem, conversationActivity } from "./activity";
import { replySender, type Sender } from "./reply-from";
import { type ScheduledSend, scheduledSendsOf } from "./undo-send";

/** Bodies longer than this are cut for display; the full message stays downloadable. */
const MAX_DISPLAY_TEXT = 500_000;

export interface ViewMessage {
  id: number;
  direction: MessageDirection;
  mailbox: string;
  messageIdHeader: string | null;
  subject: string;
  from: { name: string | null; address: string | null };
  to: AddressJson[];
  cc: AddressJson[];
  date: Date | null;
  internalDate: Date;
  text: string;
  /** Raw HTML of the message (unsafe: the API sanitizes it before it leaves the server). */
  html: string | null;
  attachments: (AttachmentJson & { index: number })[];
  authResults: Record<string, unknown> | null;
  parseError: string | null;
}

export interface ViewComment {
  id: number;
  author: { id: number; name: string };
  body: string;
  mentions: number[];
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
}

export interface ConversationView {
  conversation: Conversation;
  assigneeName: string | null;
  replyClaimName: string | null;
  /** Who put its スヌーズ on, while it is snoozed. */
  snoozedBy: { id: number; name: string } | null;
  readSeq: number;
  /** Who a reply goes out from (the composer shows it; replyContext sends from the same). */
  replyFrom: Sender;
  /** Sends of the team still held: 送信予約, or inside the undo window. */
  scheduled: ScheduledSend[];
  /** Its ラベル, by name. */
  labels: LabelRef[];
  messages: ViewMessage[];
  comments: ViewComment[];
  activity: ActivityItem[];
}

/**
 * Everything the conversation screen shows, members only: messages in order (each stored
 * copy once: a message copied to another folder is the same mail), chat, activity.
 */
export async function conversationView(
  ctx: CoreContext,
  userId: number,
  conversationId: number,
): Promise<ConversationView> {
  const conversation = await getConversation(ctx, conversationId, userId);
  const rows = await ctx.db
    .select({ m: messages, mailbox: mailboxes.name })
    .from(messages)
    .innerJoin(mailboxes, eq(mailboxes.id, messages.mailboxId))
    .where(and(eq(messages.conversationId, conversationId), ne(mailboxes.name, "Trash")))
    .orderBy(asc(messages.internalDate), asc(messages.id));
  const seen = new Set<string>();
  const unique = rows.filter((r) => {
    const key = `${r.m.blobHash}|${r.m.messageIdHeader ?? ""}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const viewMessages = await Promise.all(unique.map((r) => toViewMessage(ctx, r.m, r.mailbox)));
  const chat = await ctx.db
    .select({ c: comments, authorName: users.name })
    .from(comments)
    .innerJoin(users, eq(users.id, comments.authorId))
    .where(eq(comments.conversationId, conversationId))
    .orderBy(asc(comments.id));
  const [read] = await ctx.db
    .select({ readSeq: conversationReads.readSeq })
    .from(conversationReads)
    .where(and(eq(conversationReads.conversationId, conversationId), eq(conversationReads.userId, userId)));
  const names = await userNames(ctx, [
    conversation.assigneeId,
    conversation.replyClaimUserId,
    conversation.snoozedBy,
  ]);
  return {
    conversation,
    assigneeName: conversation.assigneeId !== null ? (names.get(conversation.assigneeId) ?? null) : null,
    replyClaimName:
      conversation.replyClaimUserId !== null ? (names.get(conversation.replyClaimUserId) ?? null) : null,
    snoozedBy:
      conversation.snoozedBy !== null
        ? { id: conversation.snoozedBy, name: names.get(conversation.snoozedBy) ?? "?" }
        : null,
    readSeq: read?.readSeq ?? 0,
    replyFrom: await replySender(ctx.db, await getInbox(ctx.db, conversation.inboxId), conversation.id),
    scheduled: await scheduledSendsOf(ctx, conversation.id),
    labels: (await labelsOf(ctx.db, [conversation.id])).get(conversation.id) ?? [],
    messages: viewMessages,
    comments: chat.map(({ c, authorName }) => ({
      id: c.id,
      author: { id: c.authorId, name: authorName },
      body: c.body,
      mentions: c.mentions,
      createdAt: c.createdAt,
      editedAt: c.editedAt,
      deletedAt: c.deletedAt,
    })),
    activity: await conversationActivity(ctx, conversation),
  };
}

async function userNames(ctx: CoreContext, ids: (number | null)[]): Promise<Map<number, string>> {
  const wanted = ids.filter((id): id is number => id !== null);
  if (!wanted.length) return new Map();
  const rows = await ctx.db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(inArray(users.id, wanted));
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function toViewMessage(
  ctx: CoreContext,
  m: typeof messages.$inferSelect,
  mailbox: string,
): Promise<ViewMessage> {
  let text = m.bodyText;
  let html: string | null = null;
  if (!m.parseError) {
    try {
      const parsed = await parseMessage(await ctx.blobs.get(m.blobHash));
      text = parsed.text;
      html = parsed.html;
    } catch {
      // The stored text is still there; a blob that will not parse now is shown as text.
    }
  }
  return {
    id: m.id,
    direction: m.direction,
    mailbox,
    messageIdHeader: m.messageIdHeader,
    subject: m.subject,
    from: { name: m.fromName, address: m.fromAddress },
    to: m.to,
    cc: m.cc,
    date: m.date,
    internalDate: m.internalDate,
    text: text.length > MAX_DISPLAY_TEXT ? `${text.slice(0, MAX_DISPLAY_TEXT)}…` : text,
    html: html && html.length > MAX_DISPLAY_TEXT * 4 ? null : html,
    attachments: m.attachments.map((a, index) => ({ ...a, index })),
    authResults: m.authResults,
    parseError: m.parseError,
  };
}
