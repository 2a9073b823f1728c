import { listMessages, type MessageMeta, mailboxChangesSince, storeFlags } from "@madoguchi/core";
import { renderEnvelope, renderStructure } from "../mime/render";
import { resolveSection } from "../mime/sections";
import { literalOf, MessageSource } from "../mime/source";
import type { MimeTree } from "../mime/structure";
import { formatInternalDate } from "../protocol/dates";
import { type Chunk, type Nested, str } from "../protocol/encode";
import { FETCH_BATCH } from "../protocol/limits";
import { formatSet, inRanges, parseSequenceSet, type SequenceSet } from "../protocol/sequence";
import { ParseError } from "../protocol/tokens";
import type { ImapSession } from "../session/session";
import { type FetchItem, marksSeen, parseFetchItems, parseFetchModifiers } from "./fetch-items";
import { command, ok, type Reply, SELECTED } from "./types";

interface FetchArgs {
  set: SequenceSet;
  items: FetchItem[];
  changedSince: number | null;
  vanished: boolean;
}

function parseFetch(byUid: boolean) {
  return (args: import("../protocol/args").ArgReader): FetchArgs => {
    const set = parseSequenceSet(args.atom("sequence set"));
    const items = parseFetchItems(args.next("fetch items"));
    const mods = parseFetchModifiers(args.done ? undefined : args.next("modifiers"));
    args.end();
    if (mods.vanished && !byUid) throw new ParseError("VANISHED is only valid with UID FETCH");
    return { set, items, ...mods };
  };
}

async function runFetch(session: ImapSession, a: FetchArgs, byUid: boolean): Promise<Reply> {
  const view = session.selected;
  if (!view) return { status: "NO", text: "No mailbox selected" };
  if (a.vanished && !session.enabled.has("QRESYNC")) return { status: "BAD", text: "ENABLE QRESYNC first" };
  const uids = view.resolve(a.set, byUid, session.savedSearch);
  if (a.changedSince !== null || a.items.some((i) => i.kind === "MODSEQ")) session.condstore = true;
  if (a.vanished && a.changedSince !== null && !a.set.saved) {
    const changes = await mailboxChangesSince(session.ctx, {
      userId: session.userId,
      mailboxId: view.info.id,
      sinceModseq: a.changedSince,
    });
    const ranges = a.set.ranges;
    const gone = changes.vanished.filter((u) => inRanges(ranges, u, view.maxUid));
    if (gone.length) await session.untagged([`VANISHED (EARLIER) ${formatSet(gone)}`]);
  }
  const setSeen = !view.readOnly && marksSeen(a.items);
  for (let i = 0; i < uids.length; i += FETCH_BATCH) {
    const batch = uids.slice(i, i + FETCH_BATCH);
    let metas = await listMessages(session.ctx, {
      userId: session.userId,
      mailboxId: view.info.id,
      uids: batch,
    });
    if (a.changedSince !== null) metas = metas.filter((m) => m.modseq > (a.changedSince as number));
    const flagsChanged = new Set<number>();
    if (setSeen) {
      const unseen = metas
        .filter((m) => !m.flags.some((f) => f.toLowerCase() === "\\seen"))
        .map((m) => m.uid);
      if (unseen.length) {
        const r = await storeFlags(session.ctx, {
          userId: session.userId,
          mailboxId: view.info.id,
          uids: unseen,
          mode: "add",
          flags: ["\\Seen"],
        });
        const updated = new Map(r.updated.map((m) => [m.uid, m]));
        metas = metas.map((m) => updated.get(m.uid) ?? m);
        for (const m of r.updated) {
          flagsChanged.add(m.uid);
          view.noteReported(m);
        }
      }
    }
    for (const meta of metas) {
      const seq = view.seqOf(meta.uid);
      if (!seq) continue;
      const items = await fetchItems(session, meta, a, byUid, flagsChanged.has(meta.uid));
      await session.untagged([`${seq} FETCH (`, items, ")"]);
    }
  }
  return ok(`${byUid ? "UID FETCH" : "FETCH"} completed`);
}

async function fetchItems(
  session: ImapSession,
  meta: MessageMeta,
  a: FetchArgs,
  byUid: boolean,
  flagsChanged: boolean,
): Promise<Nested[]> {
  const source = new MessageSource(session.ctx, session.shared.cache, meta);
  const out: Nested[] = [];
  const push = (...parts: Nested[]) => {
    if (out.length) out.push(" ");
    out.push(...parts);
  };
  const kinds = new Set(a.items.map((i) => i.kind));
  if (byUid || kinds.has("UID")) push(`UID ${meta.uid}`);
  for (const item of a.items) {
    switch (item.kind) {
      case "UID":
        break;
      case "FLAGS":
        push(`FLAGS (${meta.flags.join(" ")})`);
        break;
      case "MODSEQ":
        push(`MODSEQ (${meta.modseq})`);
        break;
      case "INTERNALDATE":
        push("INTERNALDATE ", str(formatInternalDate(meta.internalDate)));
        break;
      case "RFC822.SIZE":
        push(`RFC822.SIZE ${meta.size}`);
        break;
      case "ENVELOPE": {
        const tree = await source.tree();
        push(
          "ENVELOPE ",
          rendered(tree, "envelope", () => renderEnvelope(tree.root.fields ?? [])),
        );
        break;
      }
      case "BODYSTRUCTURE": {
        const tree = await source.tree();
        push(
          "BODYSTRUCTURE ",
          rendered(tree, "bodystructure", () => renderStructure(tree.root, true)),
        );
        break;
      }
      case "BODY": {
        const tree = await source.tree();
        push(
          "BODY ",
          rendered(tree, "body", () => renderStructure(tree.root, false)),
        );
        break;
      }
      case "RFC822":
        push("RFC822 ", await source.range(0, meta.size));
        break;
      case "RFC822.HEADER": {
        const tree = await source.tree();
        push("RFC822.HEADER ", await source.range(tree.root.start, tree.root.bodyStart));
        break;
      }
      case "RFC822.TEXT": {
        const tree = await source.tree();
        push("RFC822.TEXT ", await source.range(tree.root.bodyStart, tree.root.end));
        break;
      }
      case "SECTION":
        push(`${item.label} `, await sectionData(source, meta, item));
        break;
    }
  }
  if (flagsChanged && !kinds.has("FLAGS")) push(`FLAGS (${meta.flags.join(" ")})`);
  if (session.condstore && !kinds.has("MODSEQ")) push(`MODSEQ (${meta.modseq})`);
  return out;
}

function rendered(tree: MimeTree, key: "envelope" | "bodystructure" | "body", make: () => Chunk[]): Chunk[] {
  tree.rendered ??= {};
  tree.rendered[key] ??= make();
  return tree.rendered[key];
}

async function sectionData(
  source: MessageSource,
  meta: MessageMeta,
  item: Extract<FetchItem, { kind: "SECTION" }>,
): Promise<Chunk[]> {
  const whole = item.section.path.length === 0 && item.section.text === "";
  const data = whole
    ? { range: [0, meta.size] as [number, number] }
    : resolveSection((await source.tree()).root, item.section);
  if ("empty" in data) return ['""'];
  if ("build" in data) {
    let bytes = data.build(await source.bytes());
    if (item.partial) bytes = bytes.subarray(item.partial.start, item.partial.start + item.partial.length);
    return [literalOf(bytes)];
  }
  let [start, end] = data.range;
  if (item.partial) {
    start = Math.min(end, start + item.partial.start);
    end = Math.min(end, start + item.partial.length);
  }
  return source.range(start, end);
}

export const fetch = command<FetchArgs>({
  name: "FETCH",
  states: SELECTED,
  parse: parseFetch(false),
  handle: (session, a) => runFetch(session, a, false),
  expungeSafe: false,
});

export const uidFetch = command<FetchArgs>({
  name: "UID FETCH",
  states: SELECTED,
  parse: parseFetch(true),
  handle: (session, a) => runFetch(session, a, true),
});
