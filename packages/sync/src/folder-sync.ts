import {
  advanceFolderCheckpoint,
  type ConnectorAccount,
  type CoreContext,
  type DeliverResult,
  deliver,
  folderCheckpoint,
  type RemoteCopyInput,
  resetFolderCheckpoint,
  startFolderRun,
} from "@madoguchi/core";
import type { ImapFlow, MailboxObject } from "imapflow";
import { localTargetOf, type RemoteFolder } from "./imap-client";

/** Remote flags that are team state here too; \Seen is per user and never decides anything. */
const SHARED_FLAGS = new Set(["\\Flagged", "\\Answered"]);

export interface FolderSyncInput {
  ctx: CoreContext;
  client: ImapFlow;
  account: ConnectorAccount;
  /** Lease owner: every checkpoint write is fenced by it. */
  owner: string;
  remoteName: string;
  folder?: RemoteFolder;
  batchSize: number;
  /** Called after each message is committed (progress, tests). */
  onDelivered?: (uid: number, result: DeliverResult) => void;
  /** Checked between batches, so close() does not wait for a 20,000-message import. */
  shouldStop?: () => boolean;
}

export interface FolderSyncResult {
  uidValidityChanged: boolean;
  fetched: number;
  stored: number;
  duplicates: number;
}

/** Compact UID set for FETCH: 1,2,3,7 → 1:3,7. */
export function uidSet(uids: number[]): string {
  const parts: string[] = [];
  let start = uids[0];
  let prev = start;
  for (const uid of [...uids.slice(1), Number.NaN]) {
    if (start === undefined || prev === undefined) break;
    if (uid === prev + 1) {
      prev = uid;
      continue;
    }
    parts.push(start === prev ? String(start) : `${start}:${prev}`);
    start = uid;
    prev = uid;
  }
  return parts.join(",");
}

/**
 * Brings one remote folder up to date: every message whose UID is above the checkpoint is
 * fetched (BODY.PEEK, folder opened read-only: the remote is never changed), delivered, and the
 * checkpoint advanced after each batch commits. "New" is decided by UID alone, never by \Seen or
 * dates. A changed UIDVALIDITY restarts the folder from UID 1; delivery's dedup (inbox,
 * Message-ID, content hash) keeps what was already stored from doubling.
 */
export async function syncFolder(input: FolderSyncInput): Promise<FolderSyncResult> {
  const { ctx, client, account, owner, remoteName, batchSize } = input;
  const target = localTargetOf(account, input.folder, remoteName);
  const result: FolderSyncResult = { uidValidityChanged: false, fetched: 0, stored: 0, duplicates: 0 };
  let cp = await folderCheckpoint(ctx, account.id, remoteName);
  const selected = client.mailbox && client.mailbox.path === remoteName;
  if (!selected && cp.importFinishedAt) {
    // STATUS does not leave the selected folder: INBOX stays in IDLE while others are checked.
    const status = await client.status(remoteName, { uidNext: true, uidValidity: true });
    if (
      status &&
      Number(status.uidValidity) === cp.uidValidity &&
      status.uidNext !== undefined &&
      status.uidNext <= cp.lastUid + 1
    )
      return result;
  }
  const lock = await client.getMailboxLock(remoteName, { readOnly: true });
  try {
    const box = client.mailbox as MailboxObject;
    const uidValidity = Number(box.uidValidity);
    if (cp.uidValidity !== uidValidity) {
      result.uidValidityChanged = cp.uidValidity !== null;
      cp = await resetFolderCheckpoint(ctx, account.id, owner, cp.id, uidValidity);
    }
    const modseq = box.highestModseq?.toString() ?? null;
    const range = `${cp.lastUid + 1}:*`;
    // "N:*" also matches the highest existing UID when it is below N: filter.
    // Always asked, not taken from the SELECT data: an EXISTS during IDLE does not update UIDNEXT.
    const above = ((await client.search({ uid: range }, { uid: true })) || []).filter((u) => u > cp.lastUid);
    above.sort((a, b) => a - b);
    const highest = above.at(-1) ?? cp.lastUid;
    // The admin's "since" date narrows the first import only; later mail is always taken by UID.
    const since = cp.importFinishedAt === null ? account.importSince : null;
    const wanted = since
      ? new Set(
          ((await client.search({ uid: range, since }, { uid: true })) || []).filter((u) => u > cp.lastUid),
        )
      : null;
    const uids = wanted ? above.filter((u) => wanted.has(u)) : above;
    if (!uids.length && cp.importFinishedAt) {
      if (modseq !== cp.highestModseq || highest !== cp.lastUid)
        await advanceFolderCheckpoint(ctx, account.id, owner, cp.id, {
          lastUid: highest,
          done: 0,
          highestModseq: modseq,
        });
      return result;
    }
    cp = await startFolderRun(ctx, account.id, owner, cp, uids.length);
    for (let i = 0; i < uids.length; i += batchSize) {
      if (input.shouldStop?.()) return result;
      const batch = uids.slice(i, i + batchSize);
      const messages = await client.fetchAll(
        uidSet(batch),
        { uid: true, source: true, internalDate: true, flags: true },
        { uid: true },
      );
      messages.sort((a, b) => a.uid - b.uid);
      const copies: RemoteCopyInput[] = [];
      for (const message of messages) {
        if (!message.source?.length) continue;
        const delivered = await deliver(ctx, account.inboxId, message.source, {
          mailbox: target.mailbox,
          direction: target.direction,
          internalDate: message.internalDate ? new Date(message.internalDate) : undefined,
          flags: [...(message.flags ?? [])].filter((f) => SHARED_FLAGS.has(f)),
        });
        result.fetched++;
        if (delivered.duplicate) result.duplicates++;
        else result.stored++;
        // A duplicate's id is the message already stored: its remote copy is recorded all the same.
        copies.push({
          uid: message.uid,
          messageId: delivered.messageId,
          remoteSeen: message.flags?.has("\\Seen") ?? false,
        });
        input.onDelivered?.(message.uid, delivered);
      }
      const last = i + batchSize >= uids.length;
      cp = await advanceFolderCheckpoint(ctx, account.id, owner, cp.id, {
        lastUid: last ? highest : (batch.at(-1) ?? cp.lastUid),
        done: batch.length,
        finished: last,
        copies,
        ...(last ? { highestModseq: modseq } : {}),
      });
    }
    if (!uids.length)
      await advanceFolderCheckpoint(ctx, account.id, owner, cp.id, {
        lastUid: highest,
        done: 0,
        finished: true,
        highestModseq: modseq,
      });
    return result;
  } finally {
    lock.release();
  }
}
