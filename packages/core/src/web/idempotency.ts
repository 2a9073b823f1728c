import { setTimeout as sleep } from "node:timers/promises";
import { clientMutations } from "@madoguchi/db/schema";
import { and, eq, lt } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";
import { AppError, type AppErrorCode } from "../errors";

/** How long a mutation's result is remembered for retries. */
export const CLIENT_MUTATION_TTL_MS = 24 * 3_600_000;
/** A "pending" row older than this belongs to a request that died; a retry takes it over. */
const PENDING_ABANDONED_MS = 60_000;
/** How long a concurrent retry waits for the first attempt to finish before giving up. */
const WAIT_FOR_FIRST_MS = 15_000;
const POLL_MS = 25;

interface StoredFailure {
  error: { code: AppErrorCode; message: string; details: Record<string, unknown> };
}

/**
 * Runs a mutation once per (user, client mutation id): a retry after a lost acknowledgement
 * or a double click gets the first result (or the first domain error) back instead of
 * applying twice. A concurrent duplicate waits for the first attempt. Results must be JSON.
 * Unexpected (non-domain) errors are not remembered, so a retry applies the mutation again.
 */
export async function runOnce<T>(
  ctx: CoreContext,
  key: { userId: number; mutationId: string; procedure: string },
  fn: () => Promise<T>,
): Promise<T> {
  if (!key.mutationId || key.mutationId.length > 100)
    throw new AppError("INVALID_INPUT", "A client mutation id has 1 to 100 characters");
  const now = nowOf(ctx);
  const mine = and(eq(clientMutations.userId, key.userId), eq(clientMutations.mutationId, key.mutationId));
  await ctx.db
    .delete(clientMutations)
    .where(
      and(
        eq(clientMutations.userId, key.userId),
        lt(clientMutations.createdAt, new Date(now.getTime() - CLIENT_MUTATION_TTL_MS)),
      ),
    );
  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (;;) {
    const [claimed] = await ctx.db
      .insert(clientMutations)
      .values({ ...key, state: "pending", createdAt: now })
      .onConflictDoNothing()
      .returning({ userId: clientMutations.userId });
    const taken =
      claimed ??
      (
        await ctx.db
          .update(clientMutations)
          .set({ state: "pending", createdAt: now })
          .where(
            and(
              mine,
              eq(clientMutations.state, "pending"),
              lt(clientMutations.createdAt, new Date(now.getTime() - PENDING_ABANDONED_MS)),
            ),
          )
          .returning({ userId: clientMutations.userId })
      )[0];
    if (taken) return apply(ctx, key, fn);
    const [row] = await ctx.db.select().from(clientMutations).where(mine);
    if (row) {
      if (row.procedure !== key.procedure)
        throw new AppError("INVALID_INPUT", "This client mutation id was already used for another action");
      if (row.state === "done") return row.result as T;
      if (row.state === "failed") {
        const { error } = row.result as StoredFailure;
        throw new AppError(error.code, error.message, error.details);
      }
    }
    // Still pending (or deleted by the first attempt's unexpected failure: try to claim again).
    if (Date.now() > deadline)
      throw new AppError("CONFLICT", "The same action is still being applied; try again shortly");
    await sleep(POLL_MS);
  }
}

async function apply<T>(
  ctx: CoreContext,
  key: { userId: number; mutationId: string },
  fn: () => Promise<T>,
): Promise<T> {
  const mine = and(eq(clientMutations.userId, key.userId), eq(clientMutations.mutationId, key.mutationId));
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    if (err instanceof AppError && err.code !== "DATABASE_LOCKED") {
      const failure: StoredFailure = {
        error: { code: err.code, message: err.message, details: err.details },
      };
      await ctx.db
        .update(clientMutations)
        .set({ state: "failed", result: JSON.parse(JSON.stringify(failure)) })
        .where(mine);
    } else {
      await ctx.db.delete(clientMutations).where(mine);
    }
    throw err;
  }
  // JSON round trip: what a retry gets back from jsonb is exactly what the first call returned.
  const stored = result === undefined ? null : JSON.parse(JSON.stringify(result));
  await ctx.db.update(clientMutations).set({ state: "done", result: stored }).where(mine);
  return (result === undefined ? undefined : stored) as T;
}
