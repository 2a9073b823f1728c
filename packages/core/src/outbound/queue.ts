import type { Queryable } from "@madoguchi/db/client";
import {
  type DeliveryState,
  heldSends,
  outboundMessages,
  outboundQueue,
  type RecipientResult,
} from "@madoguchi/db/schema";
import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";
import { AppError, isAppError } from "../errors";
import { overtakenByCustomer } from "../web/undo-send";
import { type RetryPolicy, retryDelay } from "./retry";
import { checkSendLimit } from "./send-limit";
import { alertSendLimit } from "./send-limit-alert";

export type OutboundMessage = typeof outboundMessages.$inferSelect;
export type QueueRow = typeof outboundQueue.$inferSelect;
export type { RecipientResult } from "@madoguchi/db/schema";

export interface EnqueueInput {
  inboxId: number;
  senderUserId: number | null;
  messageIdHeader: string;
  mailFrom: string;
  blobHash: string;
  size: number;
  subject: string;
  /** Remote recipients; grouped into one queue row per domain. */
  recipients: string[];
  basedOnSeq: number | null;
  /** "held" until the submission's reply guard has passed; "queued" to send right away. */
  state: Extract<DeliveryState, "held" | "queued">;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}

/** Recipients grouped by domain, each address once (case-insensitive), in first-seen order. */
export function groupByDomain(recipients: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const rcpt of recipients) {
    const key = rcpt.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const domain = domainOf(rcpt);
    groups.set(domain, [...(groups.get(domain) ?? []), rcpt]);
  }
  return groups;
}

/** The message row and its per-domain queue rows, in one transaction. */
export async function enqueueOutbound(ctx: CoreContext, input: EnqueueInput): Promise<OutboundMessage> {
  if (!input.recipients.length && input.state === "queued")
    throw new AppError("INVALID_INPUT", "An outbound message needs at least one recipient");
  const now = nowOf(ctx);
  try {
    return await insertOutbound(ctx, input, now);
  } catch (err) {
    if (isAppError(err, "SEND_LIMIT") && input.senderUserId !== null) {
      const reached = err.details as { limit: number; sentLastHour: number; refused: number };
      // The refusal stands whether or not the administrators could be told.
      await alertSendLimit(ctx, { ...reached, userId: input.senderUserId }).catch((e) =>
        console.error("could not tell the administrators of a sending limit reached:", e),
      );
    }
    throw err;
  }
}

async function insertOutbound(ctx: CoreContext, input: EnqueueInput, now: Date): Promise<OutboundMessage> {
  return ctx.db.transaction(async (tx) => {
    const [message] = await tx
      .insert(outboundMessages)
      .values({
        inboxId: input.inboxId,
        senderUserId: input.senderUserId,
        messageIdHeader: input.messageIdHeader,
        mailFrom: input.mailFrom,
        blobHash: input.blobHash,
        size: input.size,
        subject: input.subject,
        basedOnSeq: input.basedOnSeq,
        createdAt: now,
      })
      .returning();
    if (!message) throw new Error("insert into outbound_messages returned nothing");
    const groups = [...groupByDomain(input.recipients)];
    if (input.senderUserId !== null && groups.length)
      await checkSendLimit(tx, ctx, input.senderUserId, groups.flatMap(([, r]) => r).length, now);
    if (groups.length) {
      await tx.insert(outboundQueue).values(
        groups.map(([domain, recipients]) => ({
          outboundMessageId: message.id,
          domain,
          recipients,
          state: input.state,
          nextAttemptAt: now,
          createdAt: now,
        })),
      );
    }
    return message;
  });
}

export async function findOutboundByMessageId(
  db: Queryable,
  inboxId: number,
  messageIdHeader: string,
): Promise<{ message: OutboundMessage; rows: QueueRow[] } | undefined> {
  const [message] = await db
    .select()
    .from(outboundMessages)
    .where(and(eq(outboundMessages.inboxId, inboxId), eq(outboundMessages.messageIdHeader, messageIdHeader)));
  if (!message) return undefined;
  const rows = await db.select().from(outboundQueue).where(eq(outboundQueue.outboundMessageId, message.id));
  return { message, rows };
}

/**
 * A held outbound message under its Message-ID, queued once. A send resumed after a crash finds
 * the one it queued first and keeps its bytes (same Message-ID, same signature); `released` when
 * that one already went to the delivery workers, so there is nothing left to do.
 */
export async function queueHeldOnce(
  ctx: CoreContext,
  input: Omit<EnqueueInput, "state" | "blobHash" | "size"> & { raw: Buffer },
): Promise<
  { released: true; message: OutboundMessage } | { released: false; message: OutboundMessage; raw: Buffer }
> {
  const found = await findOutboundByMessageId(ctx.db, input.inboxId, input.messageIdHeader);
  if (found?.message.releasedAt) return { released: true, message: found.message };
  const { raw: given, ...enqueue } = input;
  const raw = found ? await ctx.blobs.get(found.message.blobHash) : given;
  const blob = await ctx.blobs.put(raw);
  const message =
    found?.message ??
    (await enqueueOutbound(ctx, { ...enqueue, blobHash: blob.hash, size: blob.size, state: "held" }));
  return { released: false, message, raw };
}

/**
 * Makes held queue rows claimable and records what the submission produced. With notBefore
 * (a web send's undo window) the rows wait until then: the workers' claim skips them, and a
 * restart changes nothing since the time is in the row.
 */
export async function releaseOutbound(
  ctx: CoreContext,
  outboundId: number,
  patch: { conversationId: number | null; replySeq: number | null },
  notBefore?: Date,
): Promise<void> {
  const now = nowOf(ctx);
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(outboundMessages)
      .set({ ...patch, releasedAt: now })
      .where(eq(outboundMessages.id, outboundId));
    await tx
      .update(outboundQueue)
      .set({ state: "queued", nextAttemptAt: notBefore && notBefore > now ? notBefore : now })
      .where(and(eq(outboundQueue.outboundMessageId, outboundId), eq(outboundQueue.state, "held")));
  });
}

export async function setOutboundReplySeq(ctx: CoreContext, outboundId: number, replySeq: number) {
  await ctx.db.update(outboundMessages).set({ replySeq }).where(eq(outboundMessages.id, outboundId));
}

/** Forgets a held message the reply guard refused (its bytes are kept in the refused draft). */
export async function discardHeldOutbound(ctx: CoreContext, outboundId: number): Promise<void> {
  await ctx.db.delete(outboundMessages).where(eq(outboundMessages.id, outboundId));
}

export interface ClaimedDelivery extends QueueRow {
  message: OutboundMessage;
}

/**
 * Claims due deliveries for one worker: queued rows whose time has come, and rows whose
 * worker's lease ran out (it crashed or hung), plus failed rows whose bounce is still to be
 * delivered. FOR UPDATE SKIP LOCKED lets any number of workers and processes claim side by
 * side; the lease (lockedUntil) keeps a row theirs after this short transaction commits.
 */
export async function claimDeliveries(
  ctx: CoreContext,
  options: { limit: number; leaseMs: number },
): Promise<ClaimedDelivery[]> {
  const now = nowOf(ctx);
  return ctx.db.transaction(async (tx) => {
    const due = await tx
      .select({ id: outboundQueue.id })
      .from(outboundQueue)
      .where(
        or(
          and(
            eq(outboundQueue.state, "queued"),
            lte(outboundQueue.nextAttemptAt, now),
            // A 送信予約 the customer overtook is taken back (withdrawOvertakenSends), never sent.
            sql`not exists (select 1 from ${heldSends} h
              where h.outbound_message_id = ${outboundQueue.outboundMessageId} and ${overtakenByCustomer})`,
          ),
          and(
            inArray(outboundQueue.state, ["sending", "failed"]),
            or(isNull(outboundQueue.lockedUntil), lt(outboundQueue.lockedUntil, now)),
          ),
        ),
      )
      .orderBy(asc(outboundQueue.nextAttemptAt))
      .limit(options.limit)
      .for("update", { skipLocked: true });
    if (!due.length) return [];
    const rows = await tx
      .update(outboundQueue)
      .set({
        state: sql`case when ${outboundQueue.state} = 'failed' then 'failed' else 'sending' end`,
        attempts: sql`${outboundQueue.attempts} + case when ${outboundQueue.state} = 'failed' then 0 else 1 end`,
        lockedUntil: new Date(now.getTime() + options.leaseMs),
      })
      .where(
        inArray(
          outboundQueue.id,
          due.map((d) => d.id),
        ),
      )
      .returning();
    const messageIds = [...new Set(rows.map((r) => r.outboundMessageId))];
    const messages = await tx.select().from(outboundMessages).where(inArray(outboundMessages.id, messageIds));
    const byId = new Map(messages.map((m) => [m.id, m]));
    return rows.flatMap((row) => {
      const message = byId.get(row.outboundMessageId);
      return message ? [{ ...row, message }] : [];
    });
  });
}

/** What one attempt found out, per recipient. */
export interface DeliveryOutcome {
  delivered: Record<string, RecipientResult>;
  /** 5xx: will not be tried again. */
  failed: Record<string, RecipientResult>;
  /** 4xx or no connection: tried again later. */
  deferred: Record<string, RecipientResult>;
}

export interface OutcomeEffect {
  /** False when the lease had run out and another worker owns the row now: nothing recorded. */
  recorded: boolean;
  /** Ids of rows now waiting for their bounce (state failed). */
  failedRowIds: number[];
  /** True once when the delivery has been deferred longer than the notice threshold. */
  delayNoticeDue: boolean;
}

/**
 * Records an attempt: delivered recipients are done, failed ones move to a "failed" row that
 * awaits its bounce, deferred ones are retried after the policy's delay or, past the maximum
 * age, failed too.
 */
export async function recordDeliveryOutcome(
  ctx: CoreContext,
  rowId: number,
  outcome: DeliveryOutcome,
  policy: RetryPolicy,
): Promise<OutcomeEffect> {
  const now = nowOf(ctx);
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(outboundQueue).where(eq(outboundQueue.id, rowId)).for("update");
    if (row?.state !== "sending") return { recorded: false, failedRowIds: [], delayNoticeDue: false };
    const failed = { ...outcome.failed };
    let deferred = { ...outcome.deferred };
    const age = now.getTime() - row.createdAt.getTime();
    if (Object.keys(deferred).length && age >= policy.maxAgeMs) {
      const days = Math.round(policy.maxAgeMs / 86_400_000);
      for (const [rcpt, r] of Object.entries(deferred))
        failed[rcpt] = { ...r, response: `${r.response} (gave up after ${days} days of retries)` };
      deferred = {};
    }
    const results = { ...row.results, ...outcome.delivered, ...failed, ...deferred };
    const deliveredRcpts = Object.keys(outcome.delivered);
    const failedRcpts = Object.keys(failed);
    const deferredRcpts = Object.keys(deferred);
    const lastError = Object.values({ ...failed, ...deferred })[0]?.response ?? null;
    // The row keeps the recipients still pending (else the failed ones, else the delivered);
    // every other group gets a row of its own, so a row's recipients all share its state.
    const groups: { state: "queued" | "failed" | "sent"; recipients: string[] }[] = [
      { state: "queued" as const, recipients: deferredRcpts },
      { state: "failed" as const, recipients: failedRcpts },
      { state: "sent" as const, recipients: deliveredRcpts },
    ].filter((g) => g.recipients.length);
    const failedRowIds: number[] = [];
    for (const [i, group] of groups.entries()) {
      const values = {
        state: group.state,
        recipients: group.recipients,
        results: Object.fromEntries(group.recipients.map((r) => [r, results[r] as RecipientResult])),
        lastError: group.state === "sent" ? null : lastError,
        lockedUntil: null,
        nextAttemptAt:
          group.state === "queued"
            ? new Date(now.getTime() + retryDelay(policy, row.attempts))
            : row.nextAttemptAt,
        finishedAt: group.state === "sent" ? now : null,
      };
      if (i === 0) {
        await tx.update(outboundQueue).set(values).where(eq(outboundQueue.id, row.id));
        if (group.state === "failed") failedRowIds.push(row.id);
        continue;
      }
      const [split] = await tx
        .insert(outboundQueue)
        .values({
          ...values,
          outboundMessageId: row.outboundMessageId,
          domain: row.domain,
          attempts: row.attempts,
          createdAt: row.createdAt,
        })
        .returning({ id: outboundQueue.id });
      if (split && group.state === "failed") failedRowIds.push(split.id);
    }
    const delayNoticeDue =
      deferredRcpts.length > 0 && row.delayNotifiedAt === null && age >= policy.delayNoticeAfterMs;
    return { recorded: true, failedRowIds, delayNoticeDue };
  });
}

export async function markDelayNotified(ctx: CoreContext, rowId: number): Promise<void> {
  await ctx.db
    .update(outboundQueue)
    .set({ delayNotifiedAt: nowOf(ctx) })
    .where(eq(outboundQueue.id, rowId));
}

/** The bounce of a failed row has been delivered to the sender. */
export async function markBounced(ctx: CoreContext, rowId: number): Promise<void> {
  await ctx.db
    .update(outboundQueue)
    .set({ state: "bounced", lockedUntil: null, finishedAt: nowOf(ctx) })
    .where(and(eq(outboundQueue.id, rowId), eq(outboundQueue.state, "failed")));
}

export async function queueRowsOf(db: Queryable, outboundId: number): Promise<QueueRow[]> {
  return db
    .select()
    .from(outboundQueue)
    .where(eq(outboundQueue.outboundMessageId, outboundId))
    .orderBy(asc(outboundQueue.id));
}
