import type { Db } from "@madoguchi/db/client";
import { type Outcome, storeBatch } from "./store-batch";
import type { DeliverResult, PreparedDelivery } from "./types";

/**
 * Most deliveries one transaction takes. Bounds the statement size (a 100 KB message carries
 * its text for search) and how long one transaction holds the inbox lock.
 */
export const MAX_BATCH = 32;

interface Waiting {
  item: PreparedDelivery;
  resolve(result: DeliverResult): void;
  reject(err: unknown): void;
}

interface InboxQueue {
  waiting: Waiting[];
}

/** Per database handle, per inbox: deliveries waiting while that inbox's transaction runs. */
const queues = new WeakMap<Db, Map<number, InboxQueue>>();

/**
 * Group commit: every delivery to one inbox needs that inbox's counter row lock, so they run one
 * transaction at a time anyway. Deliveries that arrive while one transaction runs are stored
 * together by the next one (one lock, one WAL flush), and each caller's promise resolves only
 * after the commit that holds its message. A lone delivery goes straight through, unbatched.
 */
export function commitDelivery(db: Db, inboxId: number, item: PreparedDelivery): Promise<DeliverResult> {
  let byInbox = queues.get(db);
  if (!byInbox) {
    byInbox = new Map();
    queues.set(db, byInbox);
  }
  const running = byInbox.get(inboxId);
  return new Promise((resolve, reject) => {
    const waiting = { item, resolve, reject };
    if (running) running.waiting.push(waiting);
    else {
      const queue: InboxQueue = { waiting: [waiting] };
      byInbox.set(inboxId, queue);
      void drain(db, inboxId, queue, byInbox);
    }
  });
}

async function drain(db: Db, inboxId: number, queue: InboxQueue, byInbox: Map<number, InboxQueue>) {
  while (queue.waiting.length) await storeSettled(db, inboxId, queue.waiting.splice(0, MAX_BATCH));
  // Nothing awaits between the empty check and here, so no delivery can be left behind.
  byInbox.delete(inboxId);
}

/** Stores a batch and settles every caller; never throws. */
async function storeSettled(db: Db, inboxId: number, batch: Waiting[]): Promise<void> {
  let outcomes: Outcome[];
  try {
    outcomes = await storeBatch(
      db,
      inboxId,
      batch.map((w) => w.item),
    );
  } catch (err) {
    if (batch.length === 1) batch[0]?.reject(err);
    else {
      // One bad message must not fail the others that happened to share its transaction:
      // halve until it is alone (a few retries, not one per message).
      const half = Math.ceil(batch.length / 2);
      await storeSettled(db, inboxId, batch.slice(0, half));
      await storeSettled(db, inboxId, batch.slice(half));
    }
    return;
  }
  for (const [i, w] of batch.entries()) {
    const outcome = outcomes[i];
    if (outcome && "ok" in outcome) w.resolve(outcome.ok);
    else w.reject(outcome?.error ?? new Error("no outcome for a batched delivery"));
  }
}
