import {
  type ClaimedDelivery,
  type ConnectorRoute,
  type CoreContext,
  claimDeliveries,
  type DeliveryOutcome,
  deliver,
  markBounced,
  markDelayNotified,
  type RecipientResult,
  type RetryPolicy,
  recordDeliveryOutcome,
  withdrawOvertakenSends,
} from "@madoguchi/core";
import { ATTEMPT_DEADLINE_MS } from "../limits";
import { buildDsn } from "./dsn";
import type { Router } from "./route";

/**
 * How often the loop looks for 送信予約 the customer overtook (withdrawOvertakenSends): the
 * claim never takes one meanwhile, so this only decides how soon its author gets it back.
 */
const WITHDRAW_EVERY_MS = 1000;

/** The part of a delivery's lease an attempt may use; the rest is left for recording its verdict. */
const LEASE_SHARE_FOR_ATTEMPT = 0.8;

export interface QueueWorkerOptions {
  ctx: CoreContext;
  hostname: string;
  router: Router;
  policy: RetryPolicy;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  /** Called with errors that are not a delivery's verdict (database down, bug); the row is retried after its lease. */
  onError?: (err: unknown) => void;
  /** Inboxes connected to an external provider send through its SMTP server instead of MX delivery. */
  connectorRoute?: ConnectorRoute;
}

/** The header block of a message, for the DSN's text/rfc822-headers part. */
function headerBlock(raw: Buffer): string {
  const end = raw.indexOf("\r\n\r\n");
  return raw.subarray(0, end >= 0 ? end : Math.min(raw.length, 64 * 1024)).toString("utf8");
}

/**
 * Delivers queued mail: claims due rows (any number of workers in any number of processes
 * share the queue through FOR UPDATE SKIP LOCKED and leases), runs up to `concurrency`
 * attempts at a time, records each verdict, and turns permanent failures into bounces in the
 * sender's conversation. Stopping abandons attempts still running after the grace period to
 * their lease: whether the remote side took the message is then unknown, and waiting for the
 * lease is what keeps it from being sent twice.
 */
export class QueueWorker {
  private readonly inflight = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private stopping = false;
  private wake: (() => void) | null = null;
  /** A nudge that came while the loop was busy claiming; it must not be lost. */
  private nudged = false;
  private loopDone: Promise<void> | null = null;

  constructor(private readonly options: QueueWorkerOptions) {}

  start(): void {
    this.loopDone ??= this.loop();
  }

  /** Something was queued: look now instead of at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.nudge();
    await this.loopDone;
    const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.allSettled([...this.inflight]), grace]);
    for (const controller of this.controllers) controller.abort();
    await Promise.allSettled([...this.inflight]);
  }

  private async loop(): Promise<void> {
    const { ctx, concurrency, leaseMs, pollMs } = this.options;
    let withdrawnAt = 0;
    while (!this.stopping) {
      this.nudged = false;
      if (Date.now() - withdrawnAt >= WITHDRAW_EVERY_MS) {
        withdrawnAt = Date.now();
        await withdrawOvertakenSends(ctx).catch((err) => this.options.onError?.(err));
      }
      const free = concurrency - this.inflight.size;
      let claimed: ClaimedDelivery[] = [];
      if (free > 0) {
        try {
          claimed = await claimDeliveries(ctx, { limit: free, leaseMs });
        } catch (err) {
          this.options.onError?.(err);
        }
        for (const delivery of claimed) this.track(this.process(delivery));
      }
      // A full batch may mean more is due; otherwise wait for a nudge, a finished attempt or the poll.
      if ((claimed.length && claimed.length === free) || this.nudged) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((err) => this.options.onError?.(err))
      .finally(() => {
        this.inflight.delete(tracked);
        this.nudge();
      });
    this.inflight.add(tracked);
  }

  private async process(delivery: ClaimedDelivery): Promise<void> {
    if (delivery.state === "failed") return this.bounce(delivery);
    const { ctx, router, policy } = this.options;
    const raw = await ctx.blobs.get(delivery.message.blobHash);
    const controller = new AbortController();
    // Claimed just as stop() aborted the others: leave it to its lease without starting.
    if (this.stopping) return;
    // An attempt ends before its lease does: past the lease another worker (or this one) may
    // claim the row again, and two live attempts would send two copies.
    const deadlineMs = Math.min(
      ATTEMPT_DEADLINE_MS,
      Math.floor(this.options.leaseMs * LEASE_SHARE_FOR_ATTEMPT),
    );
    const deadline = setTimeout(() => controller.abort(), deadlineMs);
    this.controllers.add(controller);
    let outcome: DeliveryOutcome;
    try {
      const envelope = { from: delivery.message.mailFrom, to: delivery.recipients };
      outcome =
        (await this.options.connectorRoute?.attempt({
          inboxId: delivery.message.inboxId,
          messageIdHeader: delivery.message.messageIdHeader,
          domain: delivery.domain,
          envelope,
          raw,
          signal: controller.signal,
        })) ?? (await router.attempt(delivery.domain, envelope, raw, controller.signal));
    } finally {
      clearTimeout(deadline);
      this.controllers.delete(controller);
    }
    // Abandoned by stop(): the verdict is unknown, the lease decides (see the class comment).
    if (controller.signal.aborted && this.stopping) return;
    const effect = await recordDeliveryOutcome(ctx, delivery.id, outcome, policy);
    if (effect.failedRowIds.length) this.nudge();
    if (effect.delayNoticeDue) await this.notifyDelay(delivery, outcome.deferred);
  }

  /** The bounce of a failed row, into the sender's conversation; deterministic bytes, so a retry stores it once. */
  private async bounce(delivery: ClaimedDelivery): Promise<void> {
    const { ctx } = this.options;
    const { message } = delivery;
    // A null sender (a bounce itself) never gets a bounce (RFC 5321 §4.5.5).
    if (message.mailFrom) {
      const results = delivery.recipients.map((rcpt): [string, RecipientResult] => [
        rcpt,
        delivery.results[rcpt] ?? {
          code: null,
          status: null,
          response: delivery.lastError ?? "",
          remoteMta: null,
          at: delivery.createdAt.toISOString(),
        },
      ]);
      const lastAttempt = Math.max(...results.map(([, r]) => new Date(r.at).getTime()));
      const dsn = buildDsn({
        action: "failed",
        hostname: this.options.hostname,
        token: String(delivery.id),
        sender: message.mailFrom,
        originalMessageId: message.messageIdHeader,
        originalSubject: message.subject,
        originalHeaders: headerBlock(await ctx.blobs.get(message.blobHash)),
        recipients: results,
        arrivalDate: message.createdAt,
        date: new Date(lastAttempt),
      });
      await deliver(ctx, message.inboxId, dsn, { mailFrom: null, rcptTo: [message.mailFrom] });
    }
    await markBounced(ctx, delivery.id);
  }

  /** Marked first, then sent: a crash in between loses this one informational notice, never repeats it. */
  private async notifyDelay(delivery: ClaimedDelivery, deferred: Record<string, RecipientResult>) {
    const { ctx, policy } = this.options;
    const { message } = delivery;
    await markDelayNotified(ctx, delivery.id);
    if (!message.mailFrom) return;
    const dsn = buildDsn({
      action: "delayed",
      hostname: this.options.hostname,
      token: String(delivery.id),
      sender: message.mailFrom,
      originalMessageId: message.messageIdHeader,
      originalSubject: message.subject,
      originalHeaders: headerBlock(await ctx.blobs.get(message.blobHash)),
      recipients: Object.entries(deferred),
      arrivalDate: message.createdAt,
      date: new Date(message.createdAt.getTime() + policy.delayNoticeAfterMs),
    });
    await deliver(ctx, message.inboxId, dsn, { mailFrom: null, rcptTo: [message.mailFrom] });
  }
}
