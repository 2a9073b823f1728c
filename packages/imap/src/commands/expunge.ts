import { expunge as coreExpunge } from "@madoguchi/core";
import { parseSequenceSet, type SequenceSet } from "../protocol/sequence";
import type { ImapSession } from "../session/session";
import { command, no, ok, type Reply, SELECTED } from "./types";

async function run(session: ImapSession, set: SequenceSet | null): Promise<Reply> {
  const view = session.selected;
  if (!view) return no("No mailbox selected");
  if (view.readOnly) return no("Mailbox is read-only", "READ-ONLY");
  const uids = set ? view.resolve(set, true, session.savedSearch) : undefined;
  if (uids && !uids.length) return ok("Nothing to expunge");
  const result = await coreExpunge(session.ctx, { userId: session.userId, mailboxId: view.info.id, uids });
  await session.announceExpunges(view.removeNow(result.uids));
  const code = session.condstore && result.modseq !== null ? `HIGHESTMODSEQ ${result.modseq}` : undefined;
  return ok("EXPUNGE completed", code);
}

export const expungeCmd = command({
  name: "EXPUNGE",
  states: SELECTED,
  parse: (args) => args.end(),
  handle: (session) => run(session, null),
});

/** UID EXPUNGE (UIDPLUS): only the named \Deleted messages. */
export const uidExpunge = command({
  name: "UID EXPUNGE",
  states: SELECTED,
  parse(args) {
    const set = parseSequenceSet(args.atom("uid set"));
    args.end();
    return set;
  },
  handle: (session, set) => run(session, set),
});
