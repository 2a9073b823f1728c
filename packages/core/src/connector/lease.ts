import { connectorAccounts } from "@madoguchi/db/schema";
import { and, eq, isNull, lt, or } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";

/**
 * Takes or renews the sync lease of an account for `owner` (a per-process id). Succeeds when the
 * account is free, already ours, or its holder let the lease run out (crashed process). The
 * single conditional UPDATE is atomic on both drivers, so two processes never both win.
 */
export async function claimConnectorLease(
  ctx: CoreContext,
  accountId: number,
  owner: string,
  ttlMs: number,
): Promise<boolean> {
  const now = nowOf(ctx);
  const rows = await ctx.db
    .update(connectorAccounts)
    .set({ leaseOwner: owner, leaseUntil: new Date(now.getTime() + ttlMs) })
    .where(
      and(
        eq(connectorAccounts.id, accountId),
        eq(connectorAccounts.enabled, true),
        or(
          isNull(connectorAccounts.leaseOwner),
          eq(connectorAccounts.leaseOwner, owner),
          lt(connectorAccounts.leaseUntil, now),
        ),
      ),
    )
    .returning({ id: connectorAccounts.id });
  return rows.length === 1;
}

export async function releaseConnectorLease(ctx: CoreContext, accountId: number, owner: string) {
  await ctx.db
    .update(connectorAccounts)
    .set({ leaseOwner: null, leaseUntil: null })
    .where(and(eq(connectorAccounts.id, accountId), eq(connectorAccounts.leaseOwner, owner)));
}
