import { Worker } from "node:worker_threads";
import type { IngestRequest, IngestResult, IngestSettings } from "./ingest";

/** What a worker is started with (workerData). */
export interface IngestWorkerData extends IngestSettings {
  /** The worker's module, loaded by worker-entry.mjs. */
  module: string;
  blobsDir: string;
}

/**
 * A message's result, and then, when `syncing`, whether its blob got fsynced: the listener stores
 * the message meanwhile and commits once it has (IngestResult's content.synced).
 */
export type WorkerReply =
  | { id: number; result: IngestResult; syncing: boolean }
  | { id: number; synced: true }
  | { id: number; syncError: string }
  | { id: number; error: string };

interface Settle<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

/** A message in a worker: its result awaited, then (once given) its blob's sync. */
interface Pending extends Settle<IngestResult> {
  sync?: Settle<void>;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

const ENTRY = new URL("./worker-entry.mjs", import.meta.url);
const MODULE = new URL("./ingest-worker.ts", import.meta.url).href;

/**
 * Worker threads running ingest(), so parsing and verifying mail (most of the CPU an inbound
 * message costs) leaves the listener's thread free for SMTP and the database. A message goes to
 * the worker with the fewest in flight. A worker that dies fails its messages (the MX answers
 * 451 and the sender retries: nothing acknowledged is lost) and is replaced at the next message.
 */
export class IngestPool {
  private readonly slots: (Slot | null)[];
  private nextId = 1;
  private closed = false;

  constructor(
    size: number,
    private readonly data: Omit<IngestWorkerData, "module">,
    /** The worker's module (tests give one that fails on purpose). */
    private readonly module = MODULE,
  ) {
    this.slots = Array.from({ length: size }, () => this.spawn());
  }

  run(request: IngestRequest): Promise<IngestResult> {
    if (this.closed) return Promise.reject(new Error("the ingest workers are stopped"));
    const index = this.leastBusy();
    const slot = this.slots[index] ?? this.spawn();
    this.slots[index] = slot;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot?.worker.terminate()));
  }

  private leastBusy(): number {
    let best = 0;
    for (const [i, slot] of this.slots.entries()) {
      if (!slot) return i;
      if (slot.pending.size < (this.slots[best]?.pending.size ?? 0)) best = i;
    }
    return best;
  }

  private spawn(): Slot {
    const worker = new Worker(ENTRY, {
      workerData: { ...this.data, module: this.module } satisfies IngestWorkerData,
    });
    const slot: Slot = { worker, pending: new Map() };
    worker.on("message", (reply: WorkerReply) => {
      const pending = slot.pending.get(reply.id);
      if (!pending) return;
      if ("result" in reply && reply.syncing && !reply.result.dmarcRejected) {
        // Stays pending until its sync is reported; a worker dying meanwhile fails the sync.
        const synced = new Promise<void>((resolve, reject) => {
          pending.sync = { resolve, reject };
        });
        synced.catch(() => {});
        pending.resolve({ ...reply.result, content: { ...reply.result.content, synced } });
        return;
      }
      slot.pending.delete(reply.id);
      if ("result" in reply) pending.resolve(reply.result);
      else if ("synced" in reply) pending.sync?.resolve();
      else if ("syncError" in reply) pending.sync?.reject(new Error(reply.syncError));
      else pending.reject(new Error(reply.error));
    });
    const fail = (reason: string) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = null;
      for (const p of slot.pending.values()) {
        const err = new Error(`ingest worker stopped: ${reason}`);
        p.reject(err);
        p.sync?.reject(err);
      }
      slot.pending.clear();
    };
    worker.on("error", (err) => fail(err.message));
    worker.on("exit", (code) => fail(`exit code ${code}`));
    return slot;
  }
}
