import { listMessages, type MessageMeta, searchMessageText, searchSentDate } from "@madoguchi/core";
import libmime from "libmime";
import { MessageSource } from "../mime/source";
import { inRanges } from "../protocol/sequence";
import type { ImapSession } from "../session/session";
import type { MailboxView } from "../session/view";
import { decodeSearchString } from "./charset";
import type { SearchNode } from "./criteria";

/** Header fields whose decoded values core stores: searched in the database. */
const STORED_HEADERS: Record<string, "subject" | "from" | "to" | "cc"> = {
  subject: "subject",
  from: "from",
  to: "to",
  cc: "cc",
};

function needsMeta(node: SearchNode): boolean {
  switch (node.op) {
    case "and":
      return node.nodes.some(needsMeta);
    case "or":
      return needsMeta(node.a) || needsMeta(node.b);
    case "not":
      return needsMeta(node.node);
    case "flag":
    case "size":
    case "internal":
    case "modseq":
      return true;
    case "header":
      return !(node.name in STORED_HEADERS) || node.value.value === "";
    default:
      return false;
  }
}

export function usesModseq(node: SearchNode): boolean {
  if (node.op === "modseq") return true;
  if (node.op === "and") return node.nodes.some(usesModseq);
  if (node.op === "or") return usesModseq(node.a) || usesModseq(node.b);
  if (node.op === "not") return usesModseq(node.node);
  return false;
}

/**
 * Runs a search over the session's view of the folder. Flags, sizes and dates come from the
 * message metadata; text keys are substring matches in core (decoded, charset-repaired
 * columns); other header fields are matched in the raw header, encoded-words decoded.
 */
export async function runSearch(
  session: ImapSession,
  view: MailboxView,
  criteria: SearchNode,
  charset: string | null,
): Promise<{ uids: number[]; metas: Map<number, MessageMeta> | null }> {
  const userId = session.userId;
  const mailboxId = view.info.id;
  const universe = view.uids.filter((u) => !view.pendingExpunge.has(u));
  let metas: Map<number, MessageMeta> | null = null;
  if (needsMeta(criteria) || usesModseq(criteria)) {
    metas = new Map((await listMessages(session.ctx, { userId, mailboxId })).map((m) => [m.uid, m]));
  }
  const all = new Set(metas ? universe.filter((u) => metas?.has(u)) : universe);
  const largestUid = view.maxUid;

  const evaluate = async (node: SearchNode): Promise<Set<number>> => {
    switch (node.op) {
      case "all":
        return new Set(all);
      case "none":
        return new Set();
      case "and": {
        let acc = new Set(all);
        for (const n of node.nodes) {
          if (!acc.size) break;
          const s = await evaluate(n);
          acc = new Set([...acc].filter((u) => s.has(u)));
        }
        return acc;
      }
      case "or": {
        const a = await evaluate(node.a);
        for (const u of await evaluate(node.b)) a.add(u);
        return a;
      }
      case "not": {
        const s = await evaluate(node.node);
        return new Set([...all].filter((u) => !s.has(u)));
      }
      case "flag": {
        const f = node.flag.toLowerCase();
        return filterMeta((m) => m.flags.some((x) => x.toLowerCase() === f) === node.present);
      }
      case "size":
        return filterMeta((m) => (node.larger ? m.size > node.n : m.size < node.n));
      case "internal":
        return filterMeta(
          (m) =>
            (!node.since || m.internalDate >= node.since) && (!node.before || m.internalDate < node.before),
        );
      case "modseq":
        return filterMeta((m) => m.modseq >= node.n);
      case "uid": {
        const set = node.set;
        if (set.saved) return intersect(new Set(session.savedSearch ?? []));
        return new Set([...all].filter((u) => inRanges(set.ranges, u, largestUid)));
      }
      case "seq": {
        if (node.set.saved) return intersect(new Set(session.savedSearch ?? []));
        const ranges = node.set.ranges;
        const count = view.uids.length;
        return new Set([...all].filter((u) => inRanges(ranges, view.seqOf(u), count)));
      }
      case "sent":
        return intersect(
          new Set(
            await searchSentDate(session.ctx, { userId, mailboxId, since: node.since, before: node.before }),
          ),
        );
      case "text": {
        const value = decodeSearchString(node.value, charset);
        return intersect(
          new Set(await searchMessageText(session.ctx, { userId, mailboxId, field: node.field, value })),
        );
      }
      case "header": {
        const value = decodeSearchString(node.value, charset);
        const stored = STORED_HEADERS[node.name];
        if (stored && value)
          return intersect(
            new Set(await searchMessageText(session.ctx, { userId, mailboxId, field: stored, value })),
          );
        return scanHeaders(node.name, value.toLowerCase());
      }
    }
  };

  function filterMeta(pred: (m: MessageMeta) => boolean): Set<number> {
    const out = new Set<number>();
    for (const u of all) {
      const m = metas?.get(u);
      if (m && pred(m)) out.add(u);
    }
    return out;
  }

  function intersect(s: Set<number>): Set<number> {
    return new Set([...s].filter((u) => all.has(u)));
  }

  async function scanHeaders(name: string, needle: string): Promise<Set<number>> {
    const out = new Set<number>();
    for (const u of all) {
      const m = metas?.get(u);
      if (!m) continue;
      const tree = await new MessageSource(session.ctx, session.shared.cache, m).tree();
      for (const f of tree.root.fields ?? []) {
        if (f.lower !== name) continue;
        const decoded = libmime.decodeWords(Buffer.from(f.value, "latin1").toString("utf8")).toLowerCase();
        if (decoded.includes(needle)) {
          out.add(u);
          break;
        }
      }
    }
    return out;
  }

  const result = await evaluate(criteria);
  return { uids: [...result].sort((a, b) => a - b), metas };
}
