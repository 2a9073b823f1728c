import type { Db } from "@madoguchi/db/client";
import { type Outcome, storeBatch } from "./store-batch";
import type { DeliverResult, PreparedDelivery } from "./types";

/**
 * Most deliveries one transaction takes. Bounds the statement size (a 100 KB message carries
 * its text for search) and how long one transaction holds the inbox lock.
 */
export const MAX_BATCH = 32;
/**
 * How long a transaction that could start waits for deliveries to the same inbox that are still
 * being prepared (expectDelivery), so they share it. 5 KB over SMTP, alternating runs: on PGlite
 * (which runs on the listener's thread) 10 sessions 130-137 -> 363-366 msg/s and 50 sessions
 * 136 -> 483; on PostgreSQL at 10 sessions its CPU per message 0.67-0.75 ms -> 0.58-0.61, the
 * rate within the noise. A lone delivery, with none expected, never waits (1 session: unchanged).
 * 1 -> 2 ms once the MX's blob fsyncs overlapped the transaction (deliveries come to it sooner
 * and wait less for one another). smtp-load after its warm-up, 10 sessions, 5 KB: PostgreSQL
 * 467-497 -> 502-535 msg/s (3 ms: 505-521, 5 ms: 503-505), its CPU per message 0.58-0.67 ms ->
 * 0.48-0.49; PGlite 327 -> 398; 100 KB on PostgreSQL 170 -> 201.
 */
export const GATHER_MS = 2;

interface Waiting {
  item: PreparedDelivery;
  resolve(result: DeliverResult): void;
  reject(err: unknown): void;
}

interface InboxQueue {
  waiting: Waiting[];
  /** Set while the first transaction waits for expected deliveries: starts it at once. */
  start: (() => void) | null;
}

/** Per database handle, per inbox: deliveries waiting while that inbox's transaction runs. */
const queues = new WeakMap<Db, Map<number, InboxQueue>>();
/** Per database handle, per inbox: deliveries being prepared that will come to commitDelivery. */
const expected = new WeakMap<Db, Map<number, number>>();

function mapOf<V>(store: WeakMap<Db, Map<number, V>>, db: Db): Map<number, V> {
  let byInbox = store.get(db);
  if (!byInbox) {
    byInbox = new Map();
    store.set(db, byInbox);
  }
  return byInbox;
}

/**
 * Announces a delivery to an inbox that is being prepared (an MX message being verified and
 * parsed): a transaction about to start for that inbox waits up to GATHER_MS for it. Returns the
 * withdrawal: commitDelivery calls it once the delivery is queued, the caller when it gives the
 * delivery up (more calls do nothing).
 */
export function expectDelivery(db: Db, inboxId: number): () => void {
  const counts = mapOf(expected, db);
  counts.set(inboxId, (counts.get(inboxId) ?? 0) + 1);
  let withdrawn = false;
  return () => {
    if (withdrawn) return;
    withdrawn = true;
    const left = (counts.get(inboxId) ?? 1) - 1;
    if (left > 0) counts.set(inboxId, left);
    else {
      counts.delete(inboxId);
      queues.get(db)?.get(inboxId)?.start?.();
    }
  };
}

/**
 * Group commit: every delivery to one inbox needs that inbox's counter row lock, so they run one
 * transaction at a time anyway. Deliveries that arrive while one transaction runs are stored
 * together by the next one (one lock, one WAL flush), and each caller's promise resolves only
 * after the commit that holds its message. A lone delivery goes straight through, unbatched; one
 * that could start a transaction while others to its inbox are expected waits for them a moment.
 */
export function commitDelivery(
  db: Db,
  inboxId: number,
  item: PreparedDelivery,
  /** expectDelivery's withdrawal for this delivery, if it was announced. */
  arrived?: () => void,
): Promise<DeliverResult> {
  const byInbox = mapOf(queues, db);
  const running = byInbox.get(inboxId);
  return new Promise((resolve, reject) => {
    const waiting = { item, resolve, reject };
    if (running) {
      running.waiting.push(waiting);
      // Queued first: the withdrawal may start the waiting transaction, which must take it along.
      arrived?.();
    } else {
      arrived?.();
      const queue: InboxQueue = { waiting: [waiting], start: null };
      byInbox.set(inboxId, queue);
      if (!expected.get(db)?.get(inboxId)) void drain(db, inboxId, queue, byInbox);
      else {
        const timer = setTimeout(() => queue.start?.(), GATHER_MS);
        queue.start = () => {
          queue.start = null;
          clearTimeout(timer);
          void drain(db, inboxId, queue, byInbox);
        };
      }
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
