import type { Queryable } from "@madoguchi/db/client";
import { conversations, expungedMessages, messages, messageUserState, users } from "@madoguchi/db/schema";
import { and, asc, eq, gt, inArray, or, type SQL, sql } from "drizzle-orm";
import type { CoreContext } from "../context";
import { mailboxForUser, openMailbox } from "./folders";
import { assigneeKeyword, STATUS_KEYWORDS } from "./keywords";

/** A message as one user sees it in one folder. */
export interface MessageMeta {
  id: number;
  uid: number;
  /** max(the message's modseq, this user's own \Seen change). */
  modseq: number;
  /** System flags (\Seen for this user), keywords, status and assignee keywords. */
  flags: string[];
  size: number;
  internalDate: Date;
  blobHash: string;
  conversationId: number | null;
  /** Hidden from this user's POP3 view (POP3 DELE in a shared inbox). */
  hidden: boolean;
}

const metaColumns = {
  id: messages.id,
  uid: messages.uid,
  modseq: messages.modseq,
  sharedFlags: messages.flags,
  keywords: messages.keywords,
  size: messages.size,
  internalDate: messages.internalDate,
  blobHash: messages.blobHash,
  conversationId: messages.conversationId,
  seen: messageUserState.seen,
  hidden: messageUserState.hidden,
  userModseq: messageUserState.modseq,
  status: conversations.status,
  assigneeEmail: users.email,
};

type MetaRow = {
  id: number;
  uid: number;
  modseq: number;
  sharedFlags: string[];
  keywords: string[];
  size: number;
  internalDate: Date;
  blobHash: string;
  conversationId: number | null;
  seen: boolean | null;
  hidden: boolean | null;
  userModseq: number | null;
  status: keyof typeof STATUS_KEYWORDS | null;
  assigneeEmail: string | null;
};

export function toMeta(row: MetaRow): MessageMeta {
  const flags = [...row.sharedFlags];
  if (row.seen) flags.push("\\Seen");
  flags.push(...row.keywords);
  if (row.status) flags.push(STATUS_KEYWORDS[row.status]);
  if (row.assigneeEmail) flags.push(assigneeKeyword(row.assigneeEmail));
  return {
    id: row.id,
    uid: row.uid,
    modseq: Math.max(row.modseq, row.userModseq ?? 0),
    flags,
    size: row.size,
    internalDate: row.internalDate,
    blobHash: row.blobHash,
    conversationId: row.conversationId,
    hidden: row.hidden ?? false,
  };
}

/** Reads message metadata for one user; `where` narrows within the folder. */
export async function selectMeta(
  db: Queryable,
  userId: number,
  mailboxId: number,
  where?: SQL,
): Promise<MessageMeta[]> {
  const rows = await db
    .select(metaColumns)
    .from(messages)
    .leftJoin(
      messageUserState,
      and(eq(messageUserState.messageId, messages.id), eq(messageUserState.userId, userId)),
    )
    .leftJoin(conversations, eq(conversations.id, messages.conversationId))
    .leftJoin(users, eq(users.id, conversations.assigneeId))
    .where(and(eq(messages.mailboxId, mailboxId), where))
    .orderBy(asc(messages.uid));
  return rows.map(toMeta);
}

/** All messages of a folder, by UID (the snapshot an IMAP SELECT or a POP3 login takes). */
export async function listMessages(
  ctx: CoreContext,
  input: { userId: number; mailboxId: number; uids?: number[] },
): Promise<MessageMeta[]> {
  await mailboxForUser(ctx.db, input.userId, input.mailboxId);
  if (input.uids && input.uids.length === 0) return [];
  return selectMeta(
    ctx.db,
    input.userId,
    input.mailboxId,
    input.uids ? inArray(messages.uid, input.uids) : undefined,
  );
}

export interface MailboxChanges {
  /** Messages added or changed after the modseq, with their current flags. */
  changed: MessageMeta[];
  /** UIDs expunged after the modseq (tombstones), ascending. */
  vanished: number[];
  highestModseq: number;
}

/**
 * What changed in a folder for a user since `sinceModseq`: the answer to IMAP NOOP/IDLE
 * polling and to CONDSTORE CHANGEDSINCE / QRESYNC.
 */
export async function mailboxChangesSince(
  ctx: CoreContext,
  input: { userId: number; mailboxId: number; sinceModseq: number },
): Promise<MailboxChanges> {
  const mailbox = await openMailbox(ctx.db, input.userId, input.mailboxId);
  const since = input.sinceModseq;
  const changed = await selectMeta(
    ctx.db,
    input.userId,
    input.mailboxId,
    or(
      gt(messages.modseq, since),
      inArray(
        messages.id,
        ctx.db
          .select({ id: messageUserState.messageId })
          .from(messageUserState)
          .where(and(eq(messageUserState.userId, input.userId), gt(messageUserState.modseq, since))),
      ),
    ),
  );
  const gone = await ctx.db
    .select({ uid: expungedMessages.uid })
    .from(expungedMessages)
    .where(and(eq(expungedMessages.mailboxId, input.mailboxId), gt(expungedMessages.modseq, since)))
    .orderBy(asc(expungedMessages.uid));
  return { changed, vanished: gone.map((g) => g.uid), highestModseq: mailbox.highestModseq };
}

/** Counts for IMAP STATUS / LIST-STATUS. */
export async function mailboxCounts(
  ctx: CoreContext,
  input: { userId: number; mailboxId: number },
): Promise<{ messages: number; unseen: number; size: number }> {
  await mailboxForUser(ctx.db, input.userId, input.mailboxId);
  const [row] = await ctx.db
    .select({
      messages: sql<number>`count(*)::int`,
      unseen: sql<number>`count(*) filter (where coalesce(${messageUserState.seen}, false) = false)::int`,
      size: sql<number>`coalesce(sum(${messages.size}), 0)::bigint`,
    })
    .from(messages)
    .leftJoin(
      messageUserState,
      and(eq(messageUserState.messageId, messages.id), eq(messageUserState.userId, input.userId)),
    )
    .where(eq(messages.mailboxId, input.mailboxId));
  return { messages: row?.messages ?? 0, unseen: row?.unseen ?? 0, size: Number(row?.size ?? 0) };
}
