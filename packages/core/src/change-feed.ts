import { type Change, changesSince } from "./changelog";
import type { CoreContext } from "./context";

/** Subscribes to database notifications on a channel; implemented by the db handle. */
export type Listen = (
  channel: string,
  onPayload: (payload: string) => void,
  onRelisten?: () => void,
) => Promise<() => Promise<void>>;

type Listener = (inboxId: number) => void;

/**
 * One LISTEN per process, fanned out to in-process subscribers (IMAP IDLE sessions, socket.io
 * rooms). A nudge only says "inbox X moved"; subscribers read the change log from their own
 * cursor, so a lost or merged nudge loses nothing.
 */
export class ChangeFeed {
  private readonly listeners = new Map<number, Set<Listener>>();
  private readonly any = new Set<Listener>();
  private stop: (() => Promise<void>) | null = null;

  constructor(private readonly listen: Listen) {}

  async start(channel: string): Promise<void> {
    this.stop = await this.listen(
      channel,
      (payload) => {
        const inboxId = Number.parseInt(payload, 10);
        if (Number.isFinite(inboxId)) this.nudge(inboxId);
      },
      // The connection was lost (a database restart, a killed session) and nudges sent meanwhile
      // with it: every inbox someone follows is nudged, and its subscribers pull what they missed.
      () => {
        for (const inboxId of [...this.listeners.keys()]) this.nudge(inboxId);
      },
    );
  }

  private nudge(inboxId: number): void {
    for (const fn of this.listeners.get(inboxId) ?? []) fn(inboxId);
    for (const fn of this.any) fn(inboxId);
  }

  /** Calls `fn` whenever the inbox has new changes; returns the unsubscribe function. */
  subscribe(inboxId: number, fn: Listener): () => void {
    let set = this.listeners.get(inboxId);
    if (!set) {
      set = new Set();
      this.listeners.set(inboxId, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (!set.size) this.listeners.delete(inboxId);
    };
  }

  subscribeAll(fn: Listener): () => void {
    this.any.add(fn);
    return () => this.any.delete(fn);
  }

  async close(): Promise<void> {
    await this.stop?.();
    this.stop = null;
  }
}

/** Follows one inbox's change log from a cursor, calling `onChanges` with each new batch in order. */
export function followInbox(
  ctx: CoreContext,
  feed: ChangeFeed,
  inboxId: number,
  fromSeq: number,
  onChanges: (changes: Change[]) => void,
): () => void {
  let cursor = fromSeq;
  let running = false;
  let again = false;
  const pull = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        for (;;) {
          const batch = await changesSince(ctx.db, inboxId, cursor);
          if (!batch.length) break;
          cursor = batch.at(-1)?.seq ?? cursor;
          onChanges(batch);
        }
      } while (again);
    } finally {
      running = false;
    }
  };
  const unsubscribe = feed.subscribe(inboxId, () => void pull());
  void pull();
  return unsubscribe;
}
