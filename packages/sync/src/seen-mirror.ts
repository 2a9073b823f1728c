import {
  type CoreContext,
  getConnector,
  markRemoteCopiesSeen,
  pendingSeenCopies,
  type RemoteCopy,
} from "@madoguchi/core";
import type { ImapFlow, MailboxObject } from "imapflow";
import { ConnectorError } from "./diagnostics";
import { uidSet } from "./folder-sync";

/** UIDs per STORE: keeps each command line well under the limits servers put on them. */
const UIDS_PER_STORE = 500;

export interface SeenMirrorInput {
  ctx: CoreContext;
  client: ImapFlow;
  accountId: number;
}

function byFolder(copies: RemoteCopy[]): Map<string, RemoteCopy[]> {
  const folders = new Map<string, RemoteCopy[]>();
  for (const c of copies) {
    const list = folders.get(c.remoteName) ?? [];
    list.push(c);
    folders.set(c.remoteName, list);
  }
  return folders;
}

/**
 * Sets \Seen at the provider on every copy of mail the team has read here (see
 * pendingSeenCopies), with UID STORE +FLAGS.SILENT (\Seen) in a folder opened read-write: the
 * one write the connector ever makes, and only when the account's mirrorSeen is on (the query
 * returns nothing otherwise, so the folder is never even SELECTed). A copy is marked done only
 * after the server said OK; a crash in between repeats the STORE, which changes nothing.
 * Returns how many copies got \Seen. Leaves a folder selected: the caller re-opens its IDLE one.
 */
export async function mirrorSeen(input: SeenMirrorInput): Promise<number> {
  const { ctx, client, accountId } = input;
  // Read fresh each time: the admin may switch mirroring on or off while the account syncs.
  if (!(await getConnector(ctx.db, accountId)).mirrorSeen) return 0;
  let mirrored = 0;
  // Bounded: each pass takes up to 1000 copies, and a pass that marks none ends the loop.
  for (let pass = 0; pass < 1000; pass++) {
    const pending = await pendingSeenCopies(ctx.db, accountId);
    if (!pending.length) break;
    let marked = 0;
    for (const [folder, copies] of byFolder(pending)) {
      const lock = await client.getMailboxLock(folder, { readOnly: false });
      try {
        const uidValidity = Number((client.mailbox as MailboxObject).uidValidity);
        // Copies under an older UIDVALIDITY wait for the folder's resync, which drops them.
        const uids = copies.filter((c) => c.uidValidity === uidValidity).map((c) => c.uid);
        for (let i = 0; i < uids.length; i += UIDS_PER_STORE) {
          const chunk = uids.slice(i, i + UIDS_PER_STORE);
          const ok = await client.messageFlagsAdd(uidSet(chunk), ["\\Seen"], { uid: true, silent: true });
          if (!ok)
            throw new ConnectorError(
              "protocol",
              `The provider refused to mark mail as read (\\Seen) in ${folder}; it is retried`,
              true,
              "seen_refused",
              { folder },
            );
          await markRemoteCopiesSeen(ctx, accountId, folder, uidValidity, chunk);
          marked += chunk.length;
        }
      } finally {
        lock.release();
      }
    }
    mirrored += marked;
    if (!marked) break;
  }
  return mirrored;
}
