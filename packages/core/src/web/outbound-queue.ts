import { assertAdmin } from "../authz";
import type { CoreContext } from "../context";
import {
  type CancelResult,
  cancelOutbound,
  listOutboundQueue,
  type QueueList,
  type RetryResult,
  type RetrySelection,
  retryOutboundNow,
} from "../outbound/queue-admin";

/*
 * The outgoing queue on the admin page (送信キュー): the same list and retry as
 * `madoguchi queue list` / `queue retry` / `queue cancel`, for an administrator. With the embedded database the
 * CLI cannot run next to the server, so this is where most installations see their queue.
 */

/** The page shows this many deliveries, the oldest, and how many more there are. */
export const QUEUE_PAGE_LIMIT = 200;

/** Deliveries not finished yet (to one domain, if given), oldest first, at most QUEUE_PAGE_LIMIT of them. */
export async function adminListOutboundQueue(
  ctx: CoreContext,
  actorId: number,
  domain?: string,
): Promise<QueueList> {
  await assertAdmin(ctx.db, actorId);
  return listOutboundQueue(ctx, { limit: QUEUE_PAGE_LIMIT, domain });
}

/** Makes queued deliveries (the given ids, all, or a domain's) due now; the caller wakes the delivery workers. */
export async function adminRetryOutbound(
  ctx: CoreContext,
  actorId: number,
  which: RetrySelection,
): Promise<RetryResult> {
  await assertAdmin(ctx.db, actorId);
  return retryOutboundNow(ctx, which);
}

/** Gives up on queued deliveries: each bounces to its sender; the caller wakes the delivery workers. */
export async function adminCancelOutbound(
  ctx: CoreContext,
  actorId: number,
  ids: number[],
): Promise<CancelResult> {
  await assertAdmin(ctx.db, actorId);
  return cancelOutbound(ctx, ids);
}
