import { copyMessages } from "@madoguchi/core";
import type { ArgReader } from "../protocol/args";
import { formatList, parseSequenceSet, type SequenceSet } from "../protocol/sequence";
import { findMailbox } from "../session/mailboxes";
import type { ImapSession } from "../session/session";
import { command, no, ok, type Reply, SELECTED } from "./types";

interface CopyArgs {
  set: SequenceSet;
  target: string;
}

function parseCopy(args: ArgReader): CopyArgs {
  const set = parseSequenceSet(args.atom("sequence set"));
  const target = args.astring("mailbox");
  args.end();
  return { set, target };
}

/** COPY / MOVE (RFC 6851) with UIDPLUS COPYUID. */
async function run(session: ImapSession, a: CopyArgs, byUid: boolean, move: boolean): Promise<Reply> {
  const view = session.selected;
  if (!view) return no("No mailbox selected");
  if (move && view.readOnly) return no("Mailbox is read-only", "READ-ONLY");
  const uids = view.resolve(a.set, byUid, session.savedSearch);
  // A folder the user cannot see answers like a missing one, so names cannot be probed.
  const target = await findMailbox(session, a.target);
  if (!target) return no("No such mailbox", "TRYCREATE");
  if (!uids.length) return ok(`${move ? "MOVE" : "COPY"} completed; no messages`);
  const result = await copyMessages(session.ctx, {
    userId: session.userId,
    fromMailboxId: view.info.id,
    toMailboxId: target.info.id,
    uids,
    move,
  });
  const code = result.mapping.length
    ? `COPYUID ${result.uidValidity} ${formatList(result.mapping.map((m) => m[0]))} ${formatList(result.mapping.map((m) => m[1]))}`
    : undefined;
  if (target.info.id === view.info.id) view.dirty = true;
  if (!move) return ok("COPY completed", code);
  if (code) await session.untagged([`OK [${code}] Moved`]);
  await session.announceExpunges(view.removeNow(result.expunged));
  return ok("MOVE completed");
}

export const copy = command<CopyArgs>({
  name: "COPY",
  states: SELECTED,
  parse: parseCopy,
  handle: (s, a) => run(s, a, false, false),
});
export const uidCopy = command<CopyArgs>({
  name: "UID COPY",
  states: SELECTED,
  parse: parseCopy,
  handle: (s, a) => run(s, a, true, false),
});
export const move = command<CopyArgs>({
  name: "MOVE",
  states: SELECTED,
  parse: parseCopy,
  handle: (s, a) => run(s, a, false, true),
});
export const uidMove = command<CopyArgs>({
  name: "UID MOVE",
  states: SELECTED,
  parse: parseCopy,
  handle: (s, a) => run(s, a, true, true),
});
