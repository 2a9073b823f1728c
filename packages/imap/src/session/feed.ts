import { type CoreContext, getInbox } from "@madoguchi/core";

/** What a session needs of core's ChangeFeed: "inbox X moved" nudges. */
export interface InboxFeed {
  subscribe(inboxId: number, fn: (inboxId: number) => void): () => void;
}

/**
 * Stand-in for core's ChangeFeed when the server is started without one: reads each watched
 * inbox's change-log counter every `intervalMs` (one query per watched inbox, not per
 * session) and nudges subscribers when it moved. The server normally gets the LISTEN-based
 * ChangeFeed; this keeps IDLE correct, within the interval, if it does not.
 */
export class PollingFeed implements InboxFeed {
  private readonly watched = new Map<number, { fns: Set<(id: number) => void>; seq: number | null }>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly ctx: CoreContext,
    private readonly intervalMs = 250,
  ) {}

  subscribe(inboxId: number, fn: (inboxId: number) => void): () => void {
    let entry = this.watched.get(inboxId);
    if (!entry) {
      entry = { fns: new Set(), seq: null };
      this.watched.set(inboxId, entry);
    }
    entry.fns.add(fn);
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
    return () => {
      entry.fns.delete(fn);
      if (!entry.fns.size) this.watched.delete(inboxId);
      if (!this.watched.size && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (const [inboxId, entry] of [...this.watched]) {
        const inbox = await getInbox(this.ctx.db, inboxId).catch(() => null);
        if (!inbox) continue;
        // The first reading nudges too: a change may have landed between subscribing and this poll.
        const moved = entry.seq === null || inbox.modseq !== entry.seq;
        entry.seq = inbox.modseq;
        if (moved) for (const fn of [...entry.fns]) fn(inboxId);
      }
    } finally {
      this.polling = false;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.watched.clear();
  }
}
