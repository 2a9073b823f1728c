import {
  type ConversationStatus,
  conversationLabels,
  conversationReads,
  conversations,
  heldSends,
  messages,
  users,
} from "@madoguchi/db/schema";
import { aliasedTable, and, desc, eq, isNotNull, type SQL, sql } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";
import { type LabelRef, labelsOf } from "../conversations/labels";
import { AppError } from "../errors";
import { AUTO_REPLY_ID_PREFIX } from "../outbound/auto-reply";
import { searchCondition, searchTerms } from "./conversation-search";
import { isUnreadSql } from "./inbox-overview";
import { SCHEDULED_AFTER_MS } from "./undo-send";

export const MAX_PAGE_SIZE = 100;

/** What every conversation list shares, whatever its scope (one inbox, or assigned to me). */
export interface PageFilter {
  status?: ConversationStatus;
  unread?: boolean;
  hasAttachment?: boolean;
  /** Only conversations with a 送信予約 of the team waiting (a reply scheduled, not yet sent). */
  scheduled?: boolean;
  /** Substrings (Japanese included) of subject, body, sender and recipient addresses; all must match. */
  q?: string;
  /** Only conversations carrying this label (ラベル). */
  labelId?: number;
  /** 迷惑メール only (true), or everything else (default): junk is never mixed into the other lists. */
  junk?: boolean;
  /** nextCursor of the previous page. */
  cursor?: string;
  limit?: number;
}

/** Which conversations a list covers; the caller has checked access to every inbox in it. */
export interface PageScope {
  inboxIds: number[];
  /** More conditions on conversations (assignee). */
  where: SQL[];
}

export interface PersonRef {
  id: number;
  name: string;
}

export interface ConversationRow {
  id: number;
  inboxId: number;
  subject: string;
  snippet: string;
  customer: { name: string | null; address: string | null };
  /** From of the newest message. */
  sender: { name: string | null; address: string | null } | null;
  lastMessageAt: Date | null;
  status: ConversationStatus;
  assignee: PersonRef | null;
  unread: boolean;
  lastSeq: number;
  messageCount: number;
  hasAttachments: boolean;
  replyClaim: (PersonRef & { expiresAt: Date }) | null;
  /** The first 送信予約 of the team on it, if any: teammates see in the list that a reply is on its way. */
  scheduledAt: Date | null;
  /** スヌーズ: 保留 until then. */
  snoozedUntil: Date | null;
  labels: LabelRef[];
}

export interface ConversationPage {
  rows: ConversationRow[];
  nextCursor: string | null;
  /** Per status with the same filters (status aside); first page only. */
  counts: Record<ConversationStatus, number> | null;
}

function encodeCursor(micros: string, id: number): string {
  return Buffer.from(`${micros}.${id}`).toString("base64url");
}

function decodeCursor(cursor: string): { micros: string; id: number } {
  const m = /^(\d{1,18})\.(\d{1,18})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m?.[1] || !m[2]) throw new AppError("INVALID_INPUT", "Bad page cursor");
  return { micros: m[1], id: Number(m[2]) };
}

const emptyCounts = (): Record<ConversationStatus, number> => ({
  open: 0,
  in_progress: 0,
  waiting: 0,
  done: 0,
});

/**
 * One page of conversations in a scope, newest message first, keyset-paginated on
 * (lastMessageAt, id) so deep pages cost what the first does. No access check here.
 */
export async function conversationPage(
  ctx: CoreContext,
  userId: number,
  scope: PageScope,
  filter: PageFilter,
): Promise<ConversationPage> {
  if (!scope.inboxIds.length)
    return { rows: [], nextCursor: null, counts: filter.cursor ? null : emptyCounts() };
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), MAX_PAGE_SIZE);
  const reads = aliasedTable(conversationReads, "r");
  const assignee = aliasedTable(users, "a");
  const claimer = aliasedTable(users, "cl");
  const inInboxes =
    scope.inboxIds.length === 1
      ? eq(conversations.inboxId, scope.inboxIds[0] as number)
      : sql`${conversations.inboxId} in (${sql.join(
          scope.inboxIds.map((id) => sql`${id}`),
          sql`, `,
        )})`;
  const common: SQL[] = [
    inInboxes,
    eq(conversations.junk, filter.junk ?? false),
    isNotNull(conversations.lastMessageAt),
    ...scope.where,
  ];
  if (filter.unread) common.push(isUnreadSql(reads.readSeq));
  if (filter.hasAttachment)
    common.push(
      sql`exists (select 1 from ${messages} m where m.conversation_id = ${conversations.id} and m.has_attachments)`,
    );
  // The team's sends on the conversation held past the undo window: 送信予約.
  const scheduledSends = sql`from ${heldSends} h where h.conversation_id = ${conversations.id}
    and h.release_at > ${new Date(nowOf(ctx).getTime() + SCHEDULED_AFTER_MS).toISOString()}::timestamptz`;
  if (filter.scheduled) common.push(sql`exists (select 1 ${scheduledSends})`);
  if (filter.labelId !== undefined)
    common.push(
      sql`exists (select 1 from ${conversationLabels} cl where cl.conversation_id = ${conversations.id} and cl.label_id = ${filter.labelId})`,
    );
  for (const term of searchTerms(filter.q)) common.push(searchCondition(scope.inboxIds, term));
  const where = [...common];
  if (filter.status) where.push(eq(conversations.status, filter.status));
  if (filter.cursor) {
    const c = decodeCursor(filter.cursor);
    where.push(
      sql`(${conversations.lastMessageAt}, ${conversations.id}) < (timestamptz 'epoch' + ${c.micros}::bigint * interval '1 microsecond', ${c.id}::bigint)`,
    );
  }
  const joinReads = and(eq(reads.conversationId, conversations.id), eq(reads.userId, userId));
  const rows = await ctx.db
    .select({
      c: conversations,
      readSeq: reads.readSeq,
      assigneeName: assignee.name,
      claimerName: claimer.name,
      micros: sql<string>`(extract(epoch from ${conversations.lastMessageAt}) * 1000000)::bigint::text`,
      latest: sql<{ snippet: string; fromName: string | null; fromAddress: string | null } | null>`(
        select json_build_object('snippet', m.snippet, 'fromName', m.from_name, 'fromAddress', m.from_address)
        from ${messages} m where m.conversation_id = ${conversations.id}
          -- An 自動返信 would show the same acknowledgement on every new row: the customer's words do.
          and not (m.direction = 'outbound' and m.message_id_header like ${`${AUTO_REPLY_ID_PREFIX}%`})
        order by m.internal_date desc, m.id desc limit 1)`,
      // A scalar subquery with LIMIT stays a per-row index probe; EXISTS here gets planned as a
      // hashed scan of every message in the database.
      hasAttachments: sql<boolean>`coalesce((select true from ${messages} m where m.conversation_id = ${conversations.id} and m.has_attachments limit 1), false)`,
      scheduledAt: sql<string | null>`(select min(h.release_at) ${scheduledSends})`,
    })
    .from(conversations)
    .leftJoin(reads, joinReads)
    .leftJoin(assignee, eq(assignee.id, conversations.assigneeId))
    .leftJoin(claimer, eq(claimer.id, conversations.replyClaimUserId))
    .where(and(...where))
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
    .limit(limit + 1);
  const now = Date.now();
  const shown = rows.slice(0, limit);
  const labelled = await labelsOf(
    ctx.db,
    shown.map((r) => r.c.id),
  );
  const page = shown.map(
    (r): ConversationRow => ({
      id: r.c.id,
      inboxId: r.c.inboxId,
      subject: r.c.subject,
      snippet: r.latest?.snippet ?? "",
      customer: { name: r.c.customerName, address: r.c.customerAddress },
      sender: r.latest ? { name: r.latest.fromName, address: r.latest.fromAddress } : null,
      lastMessageAt: r.c.lastMessageAt,
      status: r.c.status,
      assignee: r.c.assigneeId !== null ? { id: r.c.assigneeId, name: r.assigneeName ?? "?" } : null,
      unread: r.c.guardSeq > (r.readSeq ?? 0),
      lastSeq: r.c.lastSeq,
      messageCount: r.c.messageCount,
      hasAttachments: r.hasAttachments,
      scheduledAt: r.scheduledAt ? new Date(r.scheduledAt) : null,
      snoozedUntil: r.c.snoozedUntil,
      labels: labelled.get(r.c.id) ?? [],
      replyClaim:
        r.c.replyClaimUserId !== null && r.c.replyClaimExpiresAt && r.c.replyClaimExpiresAt.getTime() > now
          ? { id: r.c.replyClaimUserId, name: r.claimerName ?? "?", expiresAt: r.c.replyClaimExpiresAt }
          : null,
    }),
  );
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  const counts = filter.cursor
    ? null
    : await countByStatus(ctx, common, filter.unread ? joinReads : undefined, reads);
  return { rows: page, nextCursor: last ? encodeCursor(last.micros, last.c.id) : null, counts };
}

async function countByStatus(
  ctx: CoreContext,
  where: SQL[],
  joinReads: SQL | undefined,
  reads: typeof conversationReads,
): Promise<Record<ConversationStatus, number>> {
  const base = ctx.db
    .select({ status: conversations.status, n: sql<number>`count(*)::int` })
    .from(conversations);
  // The read-state join only when the unread filter needs it: counting stays an index-only scan.
  const rows = await (joinReads ? base.leftJoin(reads, joinReads) : base)
    .where(and(...where))
    .groupBy(conversations.status);
  const counts = emptyCounts();
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}
