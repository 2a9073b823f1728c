import type { Queryable } from "@madoguchi/db/client";
import { inboxAliases } from "@madoguchi/db/schema";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { CoreContext } from "../context";
import { AppError } from "../errors";
import { normalizeAddress } from "./addresses";
import { freeAddress, getInbox } from "./inboxes";

/**
 * Adds and removes other addresses of an inbox, in one transaction: all of it or none. Mail to
 * an alias lands in the inbox, and its members may send as it (inboxForSender). An alias must be
 * at a domain served here and not taken by an inbox or another alias; removing one it does not
 * have is an error, as a typo would otherwise pass unnoticed. Returns the aliases after.
 */
export async function changeInboxAliases(
  ctx: CoreContext,
  inboxId: number,
  change: { add?: string[]; remove?: string[] },
): Promise<string[]> {
  return ctx.db.transaction(async (tx) => {
    const inbox = await getInbox(tx, inboxId);
    const remove = [...new Set((change.remove ?? []).map((a) => normalizeAddress(a).address))];
    if (remove.length) {
      const gone = await tx
        .delete(inboxAliases)
        .where(and(eq(inboxAliases.inboxId, inbox.id), inArray(sql`lower(${inboxAliases.address})`, remove)))
        .returning({ address: inboxAliases.address });
      const missing = remove.filter((a) => !gone.some((g) => g.address.toLowerCase() === a));
      if (missing.length)
        throw new AppError("NOT_FOUND", `${inbox.address} has no alias ${missing.join(", ")}`);
    }
    for (const given of new Set(change.add ?? [])) {
      const { address, domainId } = await freeAddress(tx, given);
      await tx.insert(inboxAliases).values({ inboxId: inbox.id, address, domainId });
    }
    return aliasesOf(tx, inbox.id);
  });
}

export async function aliasesOf(db: Queryable, inboxId: number): Promise<string[]> {
  const rows = await db
    .select({ address: inboxAliases.address })
    .from(inboxAliases)
    .where(eq(inboxAliases.inboxId, inboxId))
    .orderBy(asc(inboxAliases.address));
  return rows.map((r) => r.address);
}
