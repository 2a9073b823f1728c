import { Worker } from "node:worker_threads";
import type { IngestRequest, IngestResult, IngestSettings } from "./ingest";

/** What a worker is started with (workerData). */
export interface IngestWorkerData extends IngestSettings {
  /** The worker's module, loaded by worker-entry.mjs. */
  module: string;
  blobsDir: string;
}

export type WorkerReply = { id: number; result: IngestResult } | { id: number; error: string };

interface Pending {
  resolve(result: IngestResult): void;
  reject(err: Error): void;
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
      slot.pending.delete(reply.id);
      if ("result" in reply) pending?.resolve(reply.result);
      else pending?.reject(new Error(reply.error));
    });
    const fail = (reason: string) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = null;
      for (const p of slot.pending.values()) p.reject(new Error(`ingest worker stopped: ${reason}`));
      slot.pending.clear();
    };
    worker.on("error", (err) => fail(err.message));
    worker.on("exit", (code) => fail(`exit code ${code}`));
    return slot;
  }
}
