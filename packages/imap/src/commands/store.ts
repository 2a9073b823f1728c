import { listMessages, type MessageMeta, type StoreMode, storeFlags } from "@madoguchi/core";
import type { ArgReader } from "../protocol/args";
import { atomOf } from "../protocol/args";
import { formatSet, parseSequenceSet, type SequenceSet } from "../protocol/sequence";
import { ParseError, type Token } from "../protocol/tokens";
import type { ImapSession } from "../session/session";
import { command, no, ok, type Reply, SELECTED } from "./types";

interface StoreArgs {
  set: SequenceSet;
  unchangedSince: number | null;
  mode: StoreMode;
  silent: boolean;
  flags: string[];
}

const SYSTEM_FLAGS = new Map(
  ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft", "\\Recent"].map((f) => [f.toLowerCase(), f]),
);

/** A flag as a client may store it: a known system flag, or a keyword atom. */
export function parseFlag(t: Token | undefined): string {
  if (t?.type !== "atom") throw new ParseError("Expected a flag");
  const v = t.value;
  if (v.startsWith("\\")) {
    const known = SYSTEM_FLAGS.get(v.toLowerCase());
    if (!known) throw new ParseError(`Unknown system flag ${v.slice(0, 30)}`);
    return known;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: protocol grammar excludes control characters
  if (!/^[^\x00-\x20\x7f-\uffff(){%*"\\\]]+$/.test(v))
    throw new ParseError(`Invalid keyword ${v.slice(0, 30)}`);
  return v;
}

function parseStore(args: ArgReader): StoreArgs {
  const set = parseSequenceSet(args.atom("sequence set"));
  let unchangedSince: number | null = null;
  const mods = args.optionalList();
  if (mods) {
    if (atomOf(mods[0]) !== "UNCHANGEDSINCE" || mods.length !== 2)
      throw new ParseError("Invalid STORE modifier");
    const v = mods[1];
    if (v?.type !== "atom" || !/^\d+$/.test(v.value)) throw new ParseError("UNCHANGEDSINCE needs a modseq");
    unchangedSince = Number(v.value);
  }
  const item = args.atom("store item");
  const m = /^([+-]?)FLAGS(\.SILENT)?$/.exec(item);
  if (!m) throw new ParseError(`Unknown STORE item ${item.slice(0, 30)}`);
  const list = args.optionalList();
  const flags: string[] = [];
  if (list) for (const t of list) flags.push(parseFlag(t));
  else while (!args.done) flags.push(parseFlag(args.next("flag")));
  args.end();
  if (!list && !flags.length) throw new ParseError("STORE needs flags");
  const mode: StoreMode = m[1] === "+" ? "add" : m[1] === "-" ? "remove" : "replace";
  return { set, unchangedSince, mode, silent: m[2] !== undefined, flags };
}

async function runStore(session: ImapSession, a: StoreArgs, byUid: boolean): Promise<Reply> {
  const view = session.selected;
  if (!view) return no("No mailbox selected");
  if (view.readOnly) return no("Mailbox is read-only", "READ-ONLY");
  const uids = view.resolve(a.set, byUid, session.savedSearch);
  if (a.unchangedSince !== null) session.condstore = true;
  if (!uids.length) return ok("STORE completed");
  const result = await storeFlags(session.ctx, {
    userId: session.userId,
    mailboxId: view.info.id,
    uids,
    mode: a.mode,
    flags: a.flags,
    unchangedSince: a.unchangedSince ?? undefined,
  });
  const updated = new Map(result.updated.map((m) => [m.uid, m]));
  const failed = new Set(result.failedUids);
  let unchanged = new Map<number, MessageMeta>();
  if (!a.silent) {
    const rest = uids.filter((u) => !updated.has(u) && !failed.has(u));
    if (rest.length) {
      const metas = await listMessages(session.ctx, {
        userId: session.userId,
        mailboxId: view.info.id,
        uids: rest,
      });
      unchanged = new Map(metas.map((m) => [m.uid, m]));
    }
  }
  for (const uid of uids) {
    const seq = view.seqOf(uid);
    if (!seq) continue;
    const meta = updated.get(uid);
    if (meta) {
      view.noteReported(meta);
      if (!a.silent) await session.untagged([`${seq} FETCH `, session.flagsItems(meta, byUid)]);
      else if (session.condstore)
        await session.untagged([`${seq} FETCH (${byUid ? `UID ${uid} ` : ""}MODSEQ (${meta.modseq}))`]);
      continue;
    }
    const current = unchanged.get(uid);
    if (current) await session.untagged([`${seq} FETCH `, session.flagsItems(current, byUid)]);
  }
  // Status/assignee keywords change every message of a conversation: let the boundary report them.
  view.dirty = true;
  if (failed.size) {
    const ids = byUid ? [...failed] : [...failed].map((u) => view.seqOf(u)).filter((s) => s > 0);
    return ok("Some messages were modified since", `MODIFIED ${formatSet(ids)}`);
  }
  return ok("STORE completed");
}

export const store = command<StoreArgs>({
  name: "STORE",
  states: SELECTED,
  parse: parseStore,
  handle: (session, a) => runStore(session, a, false),
  expungeSafe: false,
});

export const uidStore = command<StoreArgs>({
  name: "UID STORE",
  states: SELECTED,
  parse: parseStore,
  handle: (session, a) => runStore(session, a, true),
});
