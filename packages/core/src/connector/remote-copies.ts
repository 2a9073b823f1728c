import type { Queryable, Tx } from "@madoguchi/db/client";
import { connectorAccounts, connectorRemoteCopies, messageUserState } from "@madoguchi/db/schema";
import { and, asc, eq, inArray, ne, not, sql } from "drizzle-orm";
import type { CoreContext } from "../context";

/** One imported message's copy at the provider, as the folder sync saw it. */
export interface RemoteCopyInput {
  uid: number;
  messageId: number;
  /** The provider already had \Seen on it: nothing to mirror, ever. */
  remoteSeen: boolean;
}

export interface RemoteCopy {
  remoteName: string;
  uidValidity: number;
  uid: number;
}

/** Records where imported messages live remotely; a repeated batch (crash) just rewrites them. */
export async function recordRemoteCopies(
  tx: Tx,
  accountId: number,
  remoteName: string,
  uidValidity: number,
  copies: RemoteCopyInput[],
): Promise<void> {
  if (!copies.length) return;
  await tx
    .insert(connectorRemoteCopies)
    .values(copies.map((c) => ({ accountId, remoteName, uidValidity, ...c })))
    .onConflictDoUpdate({
      target: [
        connectorRemoteCopies.accountId,
        connectorRemoteCopies.remoteName,
        connectorRemoteCopies.uidValidity,
        connectorRemoteCopies.uid,
      ],
      set: {
        messageId: sql`excluded.message_id`,
        remoteSeen: sql`${connectorRemoteCopies.remoteSeen} or excluded.remote_seen`,
      },
    });
}

/** A recreated folder (new UIDVALIDITY): the old UIDs address nothing any more. */
export async function forgetStaleRemoteCopies(
  tx: Tx,
  accountId: number,
  remoteName: string,
  uidValidity: number,
): Promise<void> {
  await tx
    .delete(connectorRemoteCopies)
    .where(
      and(
        eq(connectorRemoteCopies.accountId, accountId),
        eq(connectorRemoteCopies.remoteName, remoteName),
        ne(connectorRemoteCopies.uidValidity, uidValidity),
      ),
    );
}

/**
 * Remote copies that should get \Seen: mirroring is on for the account, the copy lacks \Seen as
 * far as we know, and someone on the team has the message read here. Reading in the web app and
 * \Seen over IMAP are one per-user state (message_user_state, see web/read-seen.ts), so one
 * check covers both. Derived from stored state, not from events, so a restart or a lost nudge
 * skips nothing.
 */
export async function pendingSeenCopies(
  db: Queryable,
  accountId: number,
  limit = 1000,
): Promise<RemoteCopy[]> {
  const rc = connectorRemoteCopies;
  const readBySomeone = sql`exists (
    select 1 from ${messageUserState}
    where ${messageUserState.messageId} = ${rc.messageId} and ${messageUserState.seen})`;
  return db
    .select({ remoteName: rc.remoteName, uidValidity: rc.uidValidity, uid: rc.uid })
    .from(rc)
    .innerJoin(connectorAccounts, eq(connectorAccounts.id, rc.accountId))
    .where(
      and(
        eq(rc.accountId, accountId),
        eq(connectorAccounts.mirrorSeen, true),
        not(rc.remoteSeen),
        readBySomeone,
      ),
    )
    .orderBy(asc(rc.remoteName), asc(rc.uid))
    .limit(limit);
}

/** The provider confirmed \Seen on these UIDs; they are never sent again. */
export async function markRemoteCopiesSeen(
  ctx: CoreContext,
  accountId: number,
  remoteName: string,
  uidValidity: number,
  uids: number[],
): Promise<void> {
  if (!uids.length) return;
  await ctx.db
    .update(connectorRemoteCopies)
    .set({ remoteSeen: true })
    .where(
      and(
        eq(connectorRemoteCopies.accountId, accountId),
        eq(connectorRemoteCopies.remoteName, remoteName),
        eq(connectorRemoteCopies.uidValidity, uidValidity),
        inArray(connectorRemoteCopies.uid, uids),
      ),
    );
}
