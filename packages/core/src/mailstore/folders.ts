import type { Queryable } from "@madoguchi/db/client";
import {
  type InboxKind,
  inboxes,
  inboxMembers,
  mailboxes,
  messages,
  messageUserState,
  type SpecialUse,
} from "@madoguchi/db/schema";
import { and, asc, eq, sql } from "drizzle-orm";
import { canAccessInbox } from "../authz";
import type { CoreContext } from "../context";
import { AppError } from "../errors";

export interface MailboxInfo {
  id: number;
  inboxId: number;
  inboxAddress: string;
  inboxKind: InboxKind;
  inboxName: string;
  /** Folder name within the inbox: INBOX, Sent, … or a user-created name. */
  name: string;
  specialUse: SpecialUse | null;
  uidValidity: number;
  uidNext: number;
  highestModseq: number;
}

const mailboxColumns = {
  id: mailboxes.id,
  inboxId: mailboxes.inboxId,
  inboxAddress: inboxes.address,
  inboxKind: inboxes.kind,
  inboxName: inboxes.name,
  name: mailboxes.name,
  specialUse: mailboxes.specialUse,
  uidValidity: mailboxes.uidValidity,
  uidNext: mailboxes.uidNext,
  highestModseq: mailboxes.highestModseq,
};

/** Every folder of every inbox the user works (personal first, then shared by address). */
export async function listMailboxes(ctx: CoreContext, userId: number): Promise<MailboxInfo[]> {
  return ctx.db
    .select(mailboxColumns)
    .from(mailboxes)
    .innerJoin(inboxes, eq(inboxes.id, mailboxes.inboxId))
    .innerJoin(inboxMembers, and(eq(inboxMembers.inboxId, inboxes.id), eq(inboxMembers.userId, userId)))
    .orderBy(sql`${inboxes.kind} = 'shared'`, asc(inboxes.address), asc(mailboxes.id));
}

/**
 * A folder the user may work, as stored (its highestModseq is the team's, without this user's
 * own \Seen changes). No access and no such folder give the same NOT_FOUND, so names cannot
 * be probed. The access check for every mailstore operation.
 */
export async function mailboxForUser(db: Queryable, userId: number, mailboxId: number): Promise<MailboxInfo> {
  const [row] = await db
    .select(mailboxColumns)
    .from(mailboxes)
    .innerJoin(inboxes, eq(inboxes.id, mailboxes.inboxId))
    .where(eq(mailboxes.id, mailboxId));
  if (!row || !(await canAccessInbox(db, userId, row.inboxId))) {
    throw new AppError("NOT_FOUND", "No such mailbox");
  }
  return row;
}

/**
 * mailboxForUser plus the highest modseq as that user sees it (their own \Seen changes
 * included): for SELECT, STATUS and change polling, which report HIGHESTMODSEQ. It aggregates
 * over the folder, so operations that only need the access check use mailboxForUser.
 */
export async function openMailbox(db: Queryable, userId: number, mailboxId: number): Promise<MailboxInfo> {
  const row = await mailboxForUser(db, userId, mailboxId);
  const [own] = await db
    .select({ max: sql<number | null>`max(${messageUserState.modseq})::bigint` })
    .from(messageUserState)
    .innerJoin(messages, eq(messages.id, messageUserState.messageId))
    .where(and(eq(messages.mailboxId, mailboxId), eq(messageUserState.userId, userId)));
  const userMax = own?.max === null || own?.max === undefined ? 0 : Number(own.max);
  return { ...row, highestModseq: Math.max(row.highestModseq, userMax) };
}
