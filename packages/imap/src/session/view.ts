import type { MailboxInfo, MessageMeta } from "@madoguchi/core";
import { inRanges, type SequenceSet } from "../protocol/sequence";
import { ParseError } from "../protocol/tokens";

/**
 * A session's picture of its selected folder: the UIDs in sequence order (sequence number =
 * index + 1) and the modseq it is current to. Other sessions' changes reach it only through
 * `applyChanges`, at moments the protocol allows, so its numbering never shifts under a
 * client's feet (RFC 3501 §7.4.1).
 */
export class MailboxView {
  uids: number[];
  /** Changes up to this modseq are reflected (or queued in pendingExpunge). */
  modseq: number;
  /** Expunged elsewhere, not yet announced: still holding their sequence numbers. */
  readonly pendingExpunge = new Set<number>();
  /** Modseq of the last flags we sent per UID above `modseq`, so nothing is reported twice. */
  private readonly reported = new Map<number, number>();
  /** Set by the change feed: there may be something to report. */
  dirty = false;
  unsubscribe: (() => void) | null = null;

  constructor(
    public info: MailboxInfo,
    readonly readOnly: boolean,
    uids: number[],
  ) {
    this.uids = uids;
    this.modseq = info.highestModseq;
  }

  get exists(): number {
    return this.uids.length;
  }

  get maxUid(): number {
    return this.uids[this.uids.length - 1] ?? 0;
  }

  seqOf(uid: number): number {
    let lo = 0;
    let hi = this.uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.uids[mid] as number;
      if (v === uid) return mid + 1;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /**
   * The UIDs a sequence set names, ascending. By sequence number, "*" is the last message;
   * by UID it is the highest UID (and `n:*` matches it even when n is above it, RFC 3501 §6.4.8).
   */
  resolve(set: SequenceSet, byUid: boolean, saved: number[] | null): number[] {
    if (set.saved) {
      if (!saved) throw new ParseError("No saved search result");
      return saved.filter((u) => this.seqOf(u) > 0);
    }
    if (!this.uids.length) return [];
    if (byUid) {
      const largest = this.maxUid;
      return this.uids.filter((u) => inRanges(set.ranges, u, largest));
    }
    const out: number[] = [];
    for (const r of set.ranges) {
      const from = r.from === Number.POSITIVE_INFINITY ? this.uids.length : r.from;
      const to = r.to === Number.POSITIVE_INFINITY ? this.uids.length : r.to;
      const lo = Math.min(from, to);
      const hi = Math.max(from, to);
      if (lo > this.uids.length) throw new ParseError("Invalid message sequence number");
      for (let s = lo; s <= Math.min(hi, this.uids.length); s++) out.push(this.uids[s - 1] as number);
    }
    return [...new Set(out)].sort((a, b) => a - b);
  }

  /** Records flags this session itself sent (STORE, FETCH setting \Seen). */
  noteReported(meta: MessageMeta): void {
    if (meta.modseq > this.modseq) this.reported.set(meta.uid, meta.modseq);
  }

  /**
   * Folds in what changed since `modseq`. Returns what to tell the client, in order: expunges
   * (when allowed), then EXISTS, then flag updates.
   */
  applyChanges(
    changes: { changed: MessageMeta[]; vanished: number[]; highestModseq: number },
    allowExpunge: boolean,
  ): {
    expunged: { uid: number; seq: number }[];
    exists: boolean;
    flags: { seq: number; meta: MessageMeta }[];
  } {
    for (const uid of changes.vanished) if (this.seqOf(uid) > 0) this.pendingExpunge.add(uid);
    const expunged = allowExpunge ? this.takeExpunges() : [];
    let exists = false;
    const flags: { seq: number; meta: MessageMeta }[] = [];
    for (const meta of changes.changed) {
      if (this.pendingExpunge.has(meta.uid)) continue;
      if (meta.uid > this.maxUid) {
        this.uids.push(meta.uid);
        this.reported.set(meta.uid, meta.modseq);
        exists = true;
        continue;
      }
      const seq = this.seqOf(meta.uid);
      if (!seq) continue;
      const last = this.reported.get(meta.uid) ?? this.modseq;
      if (meta.modseq <= last) continue;
      this.reported.set(meta.uid, meta.modseq);
      flags.push({ seq, meta });
    }
    this.modseq = Math.max(this.modseq, changes.highestModseq);
    for (const [uid, m] of this.reported) if (m <= this.modseq) this.reported.delete(uid);
    return { expunged, exists, flags };
  }

  /** Removes announced expunges; returned highest sequence number first, so each EXPUNGE is valid as sent. */
  takeExpunges(): { uid: number; seq: number }[] {
    if (!this.pendingExpunge.size) return [];
    const out = [...this.pendingExpunge]
      .map((uid) => ({ uid, seq: this.seqOf(uid) }))
      .filter((e) => e.seq > 0)
      .sort((a, b) => b.seq - a.seq);
    for (const e of out) this.uids.splice(e.seq - 1, 1);
    this.pendingExpunge.clear();
    return out;
  }

  /** Our own EXPUNGE/MOVE: the UIDs go now. */
  removeNow(uids: number[]): { uid: number; seq: number }[] {
    for (const uid of uids) if (this.seqOf(uid) > 0) this.pendingExpunge.add(uid);
    return this.takeExpunges();
  }
}
