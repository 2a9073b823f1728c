import type { Tx } from "@madoguchi/db/client";
import { connectorAccounts, connectorFolders } from "@madoguchi/db/schema";
import { and, eq, gt, sql } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";
import { AppError } from "../errors";
import type { ConnectorFolder } from "./accounts";
import { forgetStaleRemoteCopies, type RemoteCopyInput, recordRemoteCopies } from "./remote-copies";

/** The checkpoint row of a remote folder, created empty on first use. */
export async function folderCheckpoint(
  ctx: CoreContext,
  accountId: number,
  remoteName: string,
): Promise<ConnectorFolder> {
  await ctx.db.insert(connectorFolders).values({ accountId, remoteName }).onConflictDoNothing();
  const [row] = await ctx.db
    .select()
    .from(connectorFolders)
    .where(and(eq(connectorFolders.accountId, accountId), eq(connectorFolders.remoteName, remoteName)));
  if (!row) throw new AppError("NOT_FOUND", `Connector ${accountId} does not exist`);
  return row;
}

/** Thrown when another process took the account's lease: this one must stop writing. */
export class LeaseLostError extends Error {
  constructor(accountId: number) {
    super(`Connector ${accountId} is now synced by another process`);
    this.name = "LeaseLostError";
  }
}

/**
 * Every checkpoint write is fenced: it only lands while `owner` still holds an unexpired lease,
 * so a process that stalled past its lease cannot move a checkpoint the new holder relies on.
 */
async function fenced(
  ctx: CoreContext,
  accountId: number,
  owner: string,
  folderId: number,
  set: Partial<typeof connectorFolders.$inferInsert>,
  alsoInTx?: (tx: Tx, row: ConnectorFolder) => Promise<void>,
): Promise<ConnectorFolder> {
  const now = nowOf(ctx);
  return ctx.db.transaction(async (tx) => {
    const [held] = await tx
      .select({ id: connectorAccounts.id })
      .from(connectorAccounts)
      .where(
        and(
          eq(connectorAccounts.id, accountId),
          eq(connectorAccounts.leaseOwner, owner),
          gt(connectorAccounts.leaseUntil, now),
        ),
      )
      .for("update");
    if (!held) throw new LeaseLostError(accountId);
    const [row] = await tx
      .update(connectorFolders)
      .set(set)
      .where(eq(connectorFolders.id, folderId))
      .returning();
    if (!row) throw new AppError("NOT_FOUND", `Connector folder ${folderId} does not exist`);
    await alsoInTx?.(tx, row);
    return row;
  });
}

/**
 * A new UIDVALIDITY (first sight, or the folder was recreated): every UID is new again, so the
 * folder is walked from the start; delivery's dedup keeps what is already stored from doubling.
 */
export function resetFolderCheckpoint(
  ctx: CoreContext,
  accountId: number,
  owner: string,
  folderId: number,
  uidValidity: number,
): Promise<ConnectorFolder> {
  return fenced(
    ctx,
    accountId,
    owner,
    folderId,
    {
      uidValidity,
      lastUid: 0,
      highestModseq: null,
      importFinishedAt: null,
      importTotal: 0,
      importDone: 0,
      runStartDone: 0,
      runStartedAt: null,
    },
    (tx, row) => forgetStaleRemoteCopies(tx, accountId, row.remoteName, uidValidity),
  );
}

/** A sync run starts: `pending` messages are above the checkpoint. */
export function startFolderRun(
  ctx: CoreContext,
  accountId: number,
  owner: string,
  folder: ConnectorFolder,
  pending: number,
): Promise<ConnectorFolder> {
  const now = nowOf(ctx);
  return fenced(ctx, accountId, owner, folder.id, {
    importTotal: folder.importDone + pending,
    runStartedAt: now,
    runStartDone: folder.importDone,
    progressAt: now,
  });
}

/**
 * Everything up to `lastUid` is committed locally. The remote copies of the batch are recorded
 * in the same transaction, so a checkpoint never covers a message whose remote UID is unknown.
 */
export function advanceFolderCheckpoint(
  ctx: CoreContext,
  accountId: number,
  owner: string,
  folderId: number,
  patch: {
    lastUid: number;
    done: number;
    highestModseq?: string | null;
    finished?: boolean;
    copies?: RemoteCopyInput[];
  },
): Promise<ConnectorFolder> {
  const now = nowOf(ctx);
  const copies = patch.copies ?? [];
  const record = async (tx: Tx, row: ConnectorFolder) => {
    if (row.uidValidity === null)
      throw new AppError("CONFLICT", `Folder ${row.remoteName} has no UIDVALIDITY yet`);
    await recordRemoteCopies(tx, accountId, row.remoteName, row.uidValidity, copies);
  };
  return fenced(
    ctx,
    accountId,
    owner,
    folderId,
    {
      lastUid: sql`greatest(${connectorFolders.lastUid}, ${patch.lastUid})` as unknown as number,
      importDone: sql`${connectorFolders.importDone} + ${patch.done}` as unknown as number,
      progressAt: now,
      lastSyncAt: now,
      ...(patch.highestModseq !== undefined ? { highestModseq: patch.highestModseq } : {}),
      ...(patch.finished
        ? {
            importFinishedAt: sql`coalesce(${connectorFolders.importFinishedAt}, ${now.toISOString()}::timestamptz)`,
          }
        : {}),
    } as Partial<typeof connectorFolders.$inferInsert>,
    copies.length ? record : undefined,
  );
}

export interface FolderProgress {
  folder: string;
  done: number;
  total: number;
  /** Messages per second in the current run; null before there is a measurement. */
  rate: number | null;
  /** Seconds left at that rate; 0 when done, null when unknown. */
  etaSeconds: number | null;
  importing: boolean;
}

export function folderProgress(row: ConnectorFolder): FolderProgress {
  const total = Math.max(row.importTotal, row.importDone);
  const elapsed =
    row.runStartedAt && row.progressAt ? (row.progressAt.getTime() - row.runStartedAt.getTime()) / 1000 : 0;
  const inRun = row.importDone - row.runStartDone;
  const rate = elapsed > 0 && inRun > 0 ? inRun / elapsed : null;
  const left = total - row.importDone;
  return {
    folder: row.remoteName,
    done: row.importDone,
    total,
    rate,
    etaSeconds: left <= 0 ? 0 : rate ? Math.ceil(left / rate) : null,
    importing: row.importFinishedAt === null,
  };
}
