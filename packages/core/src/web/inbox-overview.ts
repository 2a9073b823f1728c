import {
  type ConversationStatus,
  conversationReads,
  conversations,
  inboxAliases,
  inboxes,
  inboxMembers,
  type MemberRole,
  users,
} from "@madoguchi/db/schema";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { assertInboxAccess } from "../authz";
import type { CoreContext } from "../context";
import { type Inbox, inboxesOfUser } from "../directory/inboxes";

export interface InboxOverview {
  inbox: Inbox;
  /** Its other addresses: the composer leaves them out of a reply-all, as it does the inbox's own. */
  aliases: string[];
  /** Conversations with something new for this user (see isUnreadSql). */
  unread: number;
  /** Conversations per status, 迷惑メール aside. */
  counts: Record<ConversationStatus, number>;
  /** 迷惑メール conversations (any status). */
  junk: number;
  /** Not done and assigned to this user. */
  assignedToMe: number;
}

/**
 * "Unread" for a user: something that guards a reply (a customer message, a teammate's reply
 * or comment) happened after the seq the user last marked read.
 */
export const isUnreadSql = (readSeq: unknown) => sql`${conversations.guardSeq} > coalesce(${readSeq}, 0)`;

/** The inboxes a user works, each with unread, per-status and assigned-to-me counts. */
export async function inboxOverview(ctx: CoreContext, userId: number): Promise<InboxOverview[]> {
  const list = await inboxesOfUser(ctx.db, userId);
  if (!list.length) return [];
  const ids = list.map((i) => i.id);
  const rows = await ctx.db
    .select({
      inboxId: conversations.inboxId,
      junk: conversations.junk,
      status: conversations.status,
      total: sql<number>`count(*)::int`,
      unread: sql<number>`count(*) filter (where ${isUnreadSql(conversationReads.readSeq)})::int`,
      mine: sql<number>`count(*) filter (where ${conversations.assigneeId} = ${userId})::int`,
    })
    .from(conversations)
    .leftJoin(
      conversationReads,
      and(eq(conversationReads.conversationId, conversations.id), eq(conversationReads.userId, userId)),
    )
    .where(inArray(conversations.inboxId, ids))
    .groupBy(conversations.inboxId, conversations.junk, conversations.status);
  const aliases = await ctx.db
    .select({ inboxId: inboxAliases.inboxId, address: inboxAliases.address })
    .from(inboxAliases)
    .where(inArray(inboxAliases.inboxId, ids))
    .orderBy(asc(inboxAliases.address));
  return list.map((inbox) => {
    const counts: Record<ConversationStatus, number> = { open: 0, in_progress: 0, waiting: 0, done: 0 };
    let unread = 0;
    let assignedToMe = 0;
    let junk = 0;
    for (const r of rows) {
      if (r.inboxId !== inbox.id) continue;
      if (r.junk) {
        junk += r.total;
        continue;
      }
      counts[r.status] = r.total;
      unread += r.unread;
      if (r.status !== "done") assignedToMe += r.mine;
    }
    const own = aliases.filter((a) => a.inboxId === inbox.id).map((a) => a.address);
    return { inbox, aliases: own, unread, counts, junk, assignedToMe };
  });
}

export interface InboxMember {
  userId: number;
  email: string;
  name: string;
  role: MemberRole;
}

/** Active members of an inbox (assignee picker, @mention autocomplete); members only. */
export async function listInboxMembers(
  ctx: CoreContext,
  userId: number,
  inboxId: number,
): Promise<InboxMember[]> {
  await assertInboxAccess(ctx.db, userId, inboxId);
  return ctx.db
    .select({ userId: users.id, email: users.email, name: users.name, role: inboxMembers.role })
    .from(inboxMembers)
    .innerJoin(users, eq(users.id, inboxMembers.userId))
    .where(and(eq(inboxMembers.inboxId, inboxId), eq(users.active, true)))
    .orderBy(asc(users.name));
}

/** The current change-log head of an inbox (members only). */
export async function inboxHead(ctx: CoreContext, userId: number, inboxId: number): Promise<number> {
  await assertInboxAccess(ctx.db, userId, inboxId);
  const [row] = await ctx.db.select({ modseq: inboxes.modseq }).from(inboxes).where(eq(inboxes.id, inboxId));
  return row?.modseq ?? 0;
}

/** The change-log head of an inbox, no access check: for server internals (realtime followers). */
export async function currentInboxSeq(ctx: CoreContext, inboxId: number): Promise<number> {
  const [row] = await ctx.db.select({ modseq: inboxes.modseq }).from(inboxes).where(eq(inboxes.id, inboxId));
  return row?.modseq ?? 0;
}
