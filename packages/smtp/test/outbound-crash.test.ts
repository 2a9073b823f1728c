import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { type KilledChildRun, runUntilKilled } from "../../core/test/run-until-killed";
import { startQueueWorker } from "../src/listeners";
import type { QueueWorker } from "../src/outbound/queue-worker";
import { startTestDns, type TestDns } from "./support/dns-server";
import { enqueueDirect, queueRowsOf } from "./support/queue";
import { type Receiver, startReceiver } from "./support/receiver";
import { HOSTNAME } from "./support/smtp-env";
import { waitFor } from "./support/store";

/*
 * kill -9 of a process running the outbound queue worker while deliveries are mid-DATA.
 *
 * What SMTP can promise, and what this test holds the worker to:
 * - Nothing is lost: a queued message is delivered eventually, whatever moment the worker died.
 * - A delivery whose remote 250 the worker received and recorded (row "sent") is never sent
 *   again.
 * - A delivery whose 250 never came (the remote side still held its DATA reply when the worker
 *   died) is sent again after the lease runs out, with the same Message-ID and the same bytes.
 *   If the remote side had in fact kept the first copy, the recipient sees it twice: that is
 *   SMTP's at-least-once delivery (RFC 5321 §6.1 accepts duplicates over loss), and the
 *   unchanged Message-ID lets the recipient's software fold the two.
 * - The same holds, for a window of a few milliseconds, for a 250 that arrived but was not yet
 *   committed when the process died: it may be sent once more, never more than that.
 * - On a loaded machine the dead worker may already have given up on a held reply (its attempt
 *   deadline) and sent that message again before the kill; copies are therefore counted from the
 *   moment of the kill: the new worker adds at most one to each message, and exactly one to a
 *   message whose reply was held.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const MESSAGES = 24;
/** The receiver answers this many with 250, then holds every DATA reply until the kill. */
const ANSWER_FIRST = 8;
/** Kill once at least this many deliveries wait for their DATA reply. */
const HELD_AT_KILL = 2;
const CONCURRENCY = 4;
/** Long enough for any normal attempt in the child (an attempt may use 80% of it), short for the test. */
const LEASE_MS = 5_000;
/**
 * The survivor's own lease: only the dead worker's rows need to run out quickly. A short one here
 * would let a slow attempt on a loaded machine (PGlite blocks the event loop while it works) hit
 * its deadline or outlive its lease, and the row would rightly go out a third time.
 */
const SURVIVOR_LEASE_MS = 60_000;
const TIME_BOUND_MS = 60_000;

describe.each(drivers)("outbound worker killed with -9 mid-delivery on %s", (driver) => {
  let env: TestEnv;
  let dns: TestDns;
  let receiver: Receiver;
  /** Every DATA the receiver got, per Message-ID, in order (answered or not). */
  const arrivals = new Map<string, Buffer[]>();
  /** Answered with 250 while the first worker ran. */
  const answered: string[] = [];
  /** DATA complete, reply withheld: the worker waits for a 250 that never comes. */
  const held = new Set<string>();
  let holding = true;
  let releaseHeld = () => {};
  const heldUntil = new Promise<void>((resolve) => {
    releaseHeld = resolve;
  });
  let run: KilledChildRun<string> | null = null;
  const ids = Array.from({ length: MESSAGES }, (_, n) => `kill-${n}.${Date.now()}@example.co.jp`);

  beforeAll(async () => {
    env = await createTestEnv(driver, { pgliteDir: true });
    await createTeam(env.ctx);
    dns = await startTestDns();
    dns.zone.set("example.test", { MX: [{ exchange: "mx.example.test", priority: 10 }] });
    dns.zone.set("mx.example.test", { A: ["127.0.0.1"] });
    receiver = await startReceiver({
      async data(raw, messageId) {
        arrivals.set(messageId, [...(arrivals.get(messageId) ?? []), raw]);
        if (!holding) return undefined;
        if (answered.length < ANSWER_FIRST) {
          answered.push(messageId);
          run?.ack(messageId);
          return undefined;
        }
        held.add(messageId);
        await heldUntil;
        return undefined;
      },
    });
    for (const [n, id] of ids.entries()) await enqueueDirect(env.ctx, id, [`user${n}@example.test`]);
    await env.closeDb(); // PGlite: one process at a time; the child opens it next.
  });
  afterAll(async () => {
    releaseHeld();
    await receiver?.close();
    await dns?.close();
    await env?.close();
  });

  it("delivers every queued message after a new worker starts; only unanswered ones are sent again", async () => {
    const acked = await runUntilKilled<string>({
      script: path.join(here, "queue-worker-child.ts"),
      env: {
        WORKER_DIR: env.dir,
        WORKER_DB_URL: env.url ?? "",
        WORKER_PGLITE_DIR: env.pgliteDir ?? "",
        WORKER_DNS: dns.server,
        WORKER_OUTBOUND_PORT: String(receiver.port),
        WORKER_CONCURRENCY: String(CONCURRENCY),
        WORKER_LEASE_MS: String(LEASE_MS),
      },
      killAfter: ANSWER_FIRST,
      killWhen: () => held.size >= HELD_AT_KILL,
      timeBoundMs: TIME_BOUND_MS,
      async drive(child) {
        // 250s the receiver gave before the child's READY line was read count too.
        run = child;
        for (const id of answered) child.ack(id);
        for (let i = 0; i < TIME_BOUND_MS / 20 && !child.killed; i++)
          await new Promise((r) => setTimeout(r, 20));
      },
    });
    holding = false;
    const heldAtKill = [...held];
    expect(acked).toHaveLength(ANSWER_FIRST);
    expect(heldAtKill.length).toBeGreaterThanOrEqual(HELD_AT_KILL);
    // The dead worker's sockets are closed by the kernel; only then are the held replies let go,
    // so the receiver never counts them as delivered.
    await waitFor(async () => (receiver.open === 0 ? true : undefined), 10_000, "the hang-ups");
    releaseHeld();
    const copiesAtKill = new Map(ids.map((id) => [id, arrivals.get(id)?.length ?? 0]));

    await env.reopenDb();
    const stateAtKill = new Map<string, string>();
    for (const id of ids) stateAtKill.set(id, (await queueRowsOf(env.ctx, id))[0]?.state ?? "missing");
    const recorded = ids.filter((id) => stateAtKill.get(id) === "sent");
    expect(recorded.length).toBeGreaterThan(0);
    for (const id of heldAtKill) expect(stateAtKill.get(id), id).toBe("sending");

    let survivor: QueueWorker | undefined;
    try {
      survivor = startQueueWorker({
        ctx: env.ctx,
        config: {
          dataDir: env.dir,
          hostname: HOSTNAME,
          bind: "127.0.0.1",
          ports: { smtp: 0, submission: 0, submissions: 0 },
          smtp: {
            dnsServers: [dns.server],
            outboundPort: receiver.port,
            deliveryLeaseMs: SURVIVOR_LEASE_MS,
            queuePollMs: 100,
            retry: { retryDelaysMs: [200] },
          },
        },
        onError: (err) => console.error(err),
      });
      // The crashed worker's rows come back once its lease runs out.
      await waitFor(
        async () => {
          for (const id of ids) if ((await queueRowsOf(env.ctx, id))[0]?.state !== "sent") return undefined;
          return true;
        },
        30_000,
        "every row sent",
      );
    } finally {
      await survivor?.stop(0);
    }

    const deliveredOf = (id: string) => receiver.received.filter((r) => r.messageId === id);
    const arrivalsOf = (id: string) => arrivals.get(id) ?? [];
    // None lost.
    for (const id of ids) expect(deliveredOf(id).length, id).toBeGreaterThanOrEqual(1);
    // 250 received and recorded: never sent again.
    for (const id of recorded) expect(arrivalsOf(id), id).toHaveLength(1);
    // No 250 before the kill: sent once more, the same bytes under the same Message-ID.
    for (const id of heldAtKill) {
      const copies = arrivalsOf(id);
      expect(copies, id).toHaveLength((copiesAtKill.get(id) ?? 0) + 1);
      for (const copy of copies) expect(copy.equals(copies[0] ?? Buffer.alloc(0)), id).toBe(true);
      expect(deliveredOf(id), id).toHaveLength(1);
    }
    // Everything else: at most the one extra copy of the commit window, never another.
    for (const id of ids)
      expect(arrivalsOf(id).length, id).toBeLessThanOrEqual((copiesAtKill.get(id) ?? 0) + 1);
  });
});
