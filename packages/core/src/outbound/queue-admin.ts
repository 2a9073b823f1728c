import {
  type DeliveryState,
  outboundMessages,
  outboundQueue,
  type RecipientResult,
} from "@madoguchi/db/schema";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";

/** The states of a delivery that is not finished: what `madoguchi queue list` shows. */
export const UNFINISHED_STATES = ["held", "queued", "sending", "failed"] as const satisfies DeliveryState[];

/** One delivery (a message's recipients at one domain) as an administrator sees it. */
export interface QueueEntry {
  id: number;
  state: DeliveryState;
  domain: string;
  recipients: string[];
  attempts: number;
  queuedAt: Date;
  nextAttemptAt: Date;
  lastError: string | null;
  mailFrom: string;
  subject: string;
}

export interface QueueList {
  /** Oldest first, at most the limit asked for; only the domain asked for, if one was. */
  entries: QueueEntry[];
  /** Every unfinished delivery the list is of (to the domain asked for), listed or not. */
  total: number;
  /** Every recipient domain with unfinished deliveries, the most first: where mail is stuck. */
  domains: { domain: string; count: number }[];
}

/** A recipient domain as typed ("Docomo.ne.jp", "@docomo.ne.jp"), as the queue keeps it. */
export const queueDomain = (typed: string): string => typed.trim().replace(/^@/, "").toLowerCase();

/**
 * Deliveries not finished yet, oldest first (Postfix's mailq); `limit` bounds a list that could
 * run to thousands (mail from a stolen password, all deferred), `total` says how many there are.
 * `domain` narrows it to one recipient domain (a mailq read for one site).
 */
export async function listOutboundQueue(
  ctx: CoreContext,
  options: { limit?: number; domain?: string } = {},
): Promise<QueueList> {
  const unfinished = inArray(outboundQueue.state, [...UNFINISHED_STATES]);
  const domain = options.domain === undefined ? undefined : queueDomain(options.domain);
  const query = ctx.db
    .select({
      id: outboundQueue.id,
      state: outboundQueue.state,
      domain: outboundQueue.domain,
      recipients: outboundQueue.recipients,
      attempts: outboundQueue.attempts,
      queuedAt: outboundQueue.createdAt,
      nextAttemptAt: outboundQueue.nextAttemptAt,
      lastError: outboundQueue.lastError,
      mailFrom: outboundMessages.mailFrom,
      subject: outboundMessages.subject,
    })
    .from(outboundQueue)
    .innerJoin(outboundMessages, eq(outboundMessages.id, outboundQueue.outboundMessageId))
    .where(and(unfinished, domain === undefined ? undefined : eq(outboundQueue.domain, domain)))
    .orderBy(asc(outboundQueue.createdAt), asc(outboundQueue.id));
  const [entries, counts] = await Promise.all([
    options.limit === undefined ? query : query.limit(options.limit),
    ctx.db
      .select({ domain: outboundQueue.domain, count: sql<number>`count(*)::int` })
      .from(outboundQueue)
      .where(unfinished)
      .groupBy(outboundQueue.domain)
      .orderBy(desc(sql`count(*)`), asc(outboundQueue.domain)),
  ]);
  const domains = counts.map((c) => ({ domain: c.domain, count: Number(c.count) }));
  const total =
    domain === undefined
      ? domains.reduce((sum, d) => sum + d.count, 0)
      : (domains.find((d) => d.domain === domain)?.count ?? 0);
  return { entries, total: Math.max(total, entries.length), domains };
}

/** Why a delivery asked to be retried or cancelled was not: it is not waiting for its next attempt. */
const NOT_WAITING: Record<DeliveryState, string> = {
  held: "waiting for the reply guard to let it go",
  queued: "",
  sending: "being delivered right now",
  sent: "delivered already",
  failed: "failed for good; its bounce is on its way to the sender",
  bounced: "failed for good; the sender got its bounce",
  cancelled: "cancelled at submission (the reply guard refused it)",
};

const whyNotWaiting = (id: number, state: DeliveryState | undefined) => ({
  id,
  reason: state ? NOT_WAITING[state] : "no such delivery",
});

export interface RetryResult {
  /** Deliveries now due: a queue worker takes them at its next look (within seconds). */
  due: number[];
  skipped: { id: number; reason: string }[];
}

/** Which deliveries to retry: the given ids, every queued one, or every queued one to a domain. */
export type RetrySelection = number[] | "all" | { domain: string };

/**
 * Makes waiting deliveries due now instead of at their next backoff step (Postfix's
 * `postqueue -f` / `-i` / `-s <site>`), for example once the remote server is back: the given
 * ids, every queued one, or every queued one to a recipient domain. A retry is an attempt like
 * any other: it counts toward the backoff and the maximum queue age.
 */
export async function retryOutboundNow(ctx: CoreContext, given: RetrySelection): Promise<RetryResult> {
  const ids = Array.isArray(given) ? [...new Set(given)] : null;
  const which = Array.isArray(given)
    ? inArray(outboundQueue.id, given)
    : given === "all"
      ? undefined
      : eq(outboundQueue.domain, queueDomain(given.domain));
  const now = nowOf(ctx);
  return ctx.db.transaction(async (tx) => {
    const found = ids
      ? await tx
          .select({ id: outboundQueue.id, state: outboundQueue.state })
          .from(outboundQueue)
          .where(inArray(outboundQueue.id, ids))
          .for("update")
      : [];
    const due = await tx
      .update(outboundQueue)
      .set({ nextAttemptAt: now })
      .where(and(eq(outboundQueue.state, "queued"), which))
      .returning({ id: outboundQueue.id });
    const state = new Map(found.map((r) => [r.id, r.state]));
    const skipped = (ids ?? [])
      .filter((id) => state.get(id) !== "queued")
      .map((id) => whyNotWaiting(id, state.get(id)));
    return { due: due.map((r) => r.id).sort((a, b) => a - b), skipped };
  });
}

export interface CancelResult {
  /** Deliveries given up: each bounces to its sender at the delivery workers' next look. */
  cancelled: number[];
  skipped: { id: number; reason: string }[];
}

/**
 * Gives up on queued deliveries now, for example to a domain that will never answer (a typo):
 * each becomes a failed delivery, so the sender gets the bounce in the conversation at once,
 * saying an administrator stopped it, with the remote server's last answer. (Exim's -Mg does
 * the same; Postfix's postsuper -d deletes silently, and the conversation would read as sent.)
 * Only queued deliveries: one being sent is left to finish its attempt.
 */
export async function cancelOutbound(ctx: CoreContext, given: number[]): Promise<CancelResult> {
  const ids = [...new Set(given)];
  const now = nowOf(ctx);
  return ctx.db.transaction(async (tx) => {
    const rows = await tx.select().from(outboundQueue).where(inArray(outboundQueue.id, ids)).for("update");
    const byId = new Map(rows.map((r) => [r.id, r]));
    const cancelled: number[] = [];
    const skipped: CancelResult["skipped"] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (row?.state !== "queued") {
        skipped.push(whyNotWaiting(id, row?.state));
        continue;
      }
      const results = Object.fromEntries(
        row.recipients.map((rcpt): [string, RecipientResult] => [
          rcpt,
          {
            code: row.results[rcpt]?.code ?? null,
            status: "5.0.0",
            response: row.results[rcpt]?.response ?? row.lastError ?? "",
            remoteMta: row.results[rcpt]?.remoteMta ?? null,
            at: now.toISOString(),
            cancelled: true,
          },
        ]),
      );
      await tx
        .update(outboundQueue)
        .set({ state: "failed", results, lockedUntil: null })
        .where(eq(outboundQueue.id, id));
      cancelled.push(id);
    }
    return { cancelled, skipped };
  });
}
