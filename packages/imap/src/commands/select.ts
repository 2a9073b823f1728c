import { mailboxChangesSince, mailboxSnapshot } from "@madoguchi/core";
import { type ArgReader, atomOf, toNumber } from "../protocol/args";
import { formatSet, inRanges, parseSequenceSet, type Range } from "../protocol/sequence";
import { ParseError } from "../protocol/tokens";
import { findMailbox } from "../session/mailboxes";
import type { ImapSession } from "../session/session";
import { MailboxView } from "../session/view";
import { MAILBOX_FLAGS } from "./flags";
import { AUTHED, command, no, ok, type Reply } from "./types";

interface Qresync {
  uidValidity: number;
  modseq: number;
  knownUids: Range[] | null;
}

interface SelectArgs {
  name: string;
  condstore: boolean;
  qresync: Qresync | null;
}

function parseSelect(args: ArgReader): SelectArgs {
  const name = args.astring("mailbox");
  let condstore = false;
  let qresync: Qresync | null = null;
  const params = args.optionalList() ?? [];
  for (let i = 0; i < params.length; i++) {
    const p = atomOf(params[i]);
    if (p === "CONDSTORE") condstore = true;
    else if (p === "QRESYNC") {
      const q = params[++i];
      if (q?.type !== "list" || q.items.length < 2)
        throw new ParseError("QRESYNC needs (uidvalidity modseq …)");
      const known = q.items[2];
      let knownUids: Range[] | null = null;
      if (known?.type === "atom") {
        const set = parseSequenceSet(known.value);
        if (set.saved) throw new ParseError("Invalid known-uids");
        knownUids = set.ranges;
      }
      qresync = {
        uidValidity: toNumber(q.items[0], "uidvalidity"),
        modseq: toNumber(q.items[1], "modseq", Number.MAX_SAFE_INTEGER),
        knownUids,
      };
    } else throw new ParseError(`Unknown SELECT parameter ${p ?? ""}`);
  }
  args.end();
  return { name, condstore, qresync };
}

async function open(session: ImapSession, a: SelectArgs, readOnly: boolean): Promise<Reply> {
  if (a.qresync && !session.enabled.has("QRESYNC")) return { status: "BAD", text: "ENABLE QRESYNC first" };
  if (session.selected) {
    session.select(null);
    await session.untagged(["OK [CLOSED] Previous mailbox closed"]);
  }
  const box = await findMailbox(session, a.name);
  if (!box) return no("No such mailbox", "NONEXISTENT");
  const { mailbox, uids } = await mailboxSnapshot(session.ctx, {
    userId: session.userId,
    mailboxId: box.info.id,
  });
  const view = new MailboxView(mailbox, readOnly, uids);
  if (a.condstore || a.qresync) session.condstore = true;
  await session.untagged([`FLAGS (${MAILBOX_FLAGS.join(" ")})`]);
  await session.untagged([
    readOnly
      ? "OK [PERMANENTFLAGS ()] Read-only"
      : `OK [PERMANENTFLAGS (${MAILBOX_FLAGS.join(" ")} \\*)] Flags permitted`,
  ]);
  await session.untagged([`${view.exists} EXISTS`]);
  await session.untagged(["0 RECENT"]);
  await session.untagged([`OK [UIDVALIDITY ${mailbox.uidValidity}] UIDs valid`]);
  await session.untagged([`OK [UIDNEXT ${mailbox.uidNext}] Predicted next UID`]);
  await session.untagged([`OK [HIGHESTMODSEQ ${mailbox.highestModseq}] Highest`]);
  if (a.qresync && a.qresync.uidValidity === mailbox.uidValidity) {
    await resync(session, view, a.qresync);
  }
  session.select(view);
  return ok(`${readOnly ? "EXAMINE" : "SELECT"} completed`, readOnly ? "READ-ONLY" : "READ-WRITE");
}

/** QRESYNC (RFC 7162 §3.2.5): what changed since the client's modseq, expunges as VANISHED (EARLIER). */
async function resync(session: ImapSession, view: MailboxView, q: Qresync): Promise<void> {
  const changes = await mailboxChangesSince(session.ctx, {
    userId: session.userId,
    mailboxId: view.info.id,
    sinceModseq: q.modseq,
  });
  const known = q.knownUids;
  const vanished = changes.vanished.filter((u) => !known || inRanges(known, u, Number.MAX_SAFE_INTEGER));
  if (vanished.length) await session.untagged([`VANISHED (EARLIER) ${formatSet(vanished)}`]);
  for (const meta of changes.changed) {
    const seq = view.seqOf(meta.uid);
    if (!seq) continue;
    view.noteReported(meta);
    await session.untagged([`${seq} FETCH `, session.flagsItems(meta, true)]);
  }
}

export const select = command<SelectArgs>({
  name: "SELECT",
  states: AUTHED,
  parse: parseSelect,
  handle: (session, a) => open(session, a, false),
});

export const examine = command<SelectArgs>({
  name: "EXAMINE",
  states: AUTHED,
  parse: parseSelect,
  handle: (session, a) => open(session, a, true),
});
