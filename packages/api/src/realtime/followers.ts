import { type ChangeFeed, type CoreContext, changesSince, currentInboxSeq } from "@madoguchi/core";

/** Changes read per pull; a busier inbox is read in several batches, each nudged. */
const BATCH = 500;
/** Bound on batches per nudge, so one runaway inbox cannot hold the loop forever. */
const MAX_BATCHES_PER_PULL = 100;

export type Advance = (inboxId: number, seq: number, conversationIds: number[]) => void;

interface Follower {
  cursor: number;
  running: boolean;
  again: boolean;
  unsubscribe: () => void;
}

/**
 * Follows the change log of the inboxes this node has clients for: one ChangeFeed
 * subscription per inbox, a cursor, and one "advanced" callback per batch read. Every node
 * follows on its own (each has its own LISTEN), so nudges are emitted node-locally and
 * never twice. Errors are reported, not thrown: the next nudge retries from the cursor.
 */
export class InboxFollowers {
  private readonly followers = new Map<number, Follower>();

  constructor(
    private readonly ctx: CoreContext,
    private readonly feed: ChangeFeed,
    private readonly onAdvance: Advance,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts following from the inbox's current head (a joining client catches up over tRPC). */
  async ensure(inboxId: number): Promise<number> {
    const head = await currentInboxSeq(this.ctx, inboxId);
    if (this.followers.has(inboxId)) return head;
    const follower: Follower = { cursor: head, running: false, again: false, unsubscribe: () => {} };
    this.followers.set(inboxId, follower);
    follower.unsubscribe = this.feed.subscribe(inboxId, () => void this.pull(inboxId, follower));
    // A change may have committed between reading the head and subscribing.
    void this.pull(inboxId, follower);
    return head;
  }

  stop(inboxId: number): void {
    this.followers.get(inboxId)?.unsubscribe();
    this.followers.delete(inboxId);
  }

  stopAll(): void {
    for (const id of [...this.followers.keys()]) this.stop(id);
  }

  get size(): number {
    return this.followers.size;
  }

  private async pull(inboxId: number, f: Follower): Promise<void> {
    if (f.running) {
      f.again = true;
      return;
    }
    f.running = true;
    try {
      do {
        f.again = false;
        for (let i = 0; i < MAX_BATCHES_PER_PULL && this.followers.get(inboxId) === f; i++) {
          const batch = await changesSince(this.ctx.db, inboxId, f.cursor, BATCH);
          const last = batch.at(-1);
          if (!last) break;
          f.cursor = last.seq;
          const ids = new Set<number>();
          for (const c of batch) if (c.conversationId !== null) ids.add(c.conversationId);
          this.onAdvance(inboxId, last.seq, [...ids]);
          if (batch.length < BATCH) break;
        }
      } while (f.again && this.followers.get(inboxId) === f);
    } catch (err) {
      this.onError(err);
    } finally {
      f.running = false;
    }
  }
}
