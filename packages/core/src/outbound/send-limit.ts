import type { Tx } from "@madoguchi/db/client";
import { outboundMessages, outboundQueue } from "@madoguchi/db/schema";
import { and, eq, gt, ne, sql } from "drizzle-orm";
import type { CoreContext } from "../context";
import { AppError } from "../errors";

/**
 * Recipients outside this server one user may send to per hour, by default. A support desk
 * answers people one at a time: a few hundred in an hour is a busy person. A stolen password
 * used for spam sends thousands, and gets the domain's mail server onto blocklists, which stops
 * everyone's mail. Gmail and Microsoft 365 cap a mailbox the same way (per day).
 */
export const SEND_LIMIT_PER_HOUR = 500;
const HOUR_MS = 60 * 60 * 1000;
/** First key of the advisory lock that makes one user's sends count one after another. */
const SEND_LIMIT_LOCK = 0x5e4d;

/**
 * Inside the queueing transaction: refuses (SEND_LIMIT) when `adding` more recipients would take
 * the user past the limit for the last hour. Counts every recipient queued for other servers,
 * sent or not, except sends refused by the reply guard (never sent). Local recipients do not
 * count: their mail does not leave this server. Concurrent sends of one user wait for each other
 * here, so two of them cannot both take the last room.
 */
export async function checkSendLimit(
  tx: Tx,
  ctx: CoreContext,
  userId: number,
  adding: number,
  now: Date,
): Promise<void> {
  const limit = ctx.sendLimitPerHour ?? SEND_LIMIT_PER_HOUR;
  if (limit <= 0) return;
  await tx.execute(sql`select pg_advisory_xact_lock(${SEND_LIMIT_LOCK}, ${userId})`);
  const [row] = await tx
    .select({ n: sql<number>`coalesce(sum(jsonb_array_length(${outboundQueue.recipients})), 0)::int` })
    .from(outboundQueue)
    .innerJoin(outboundMessages, eq(outboundMessages.id, outboundQueue.outboundMessageId))
    .where(
      and(
        eq(outboundMessages.senderUserId, userId),
        gt(outboundMessages.createdAt, new Date(now.getTime() - HOUR_MS)),
        ne(outboundQueue.state, "cancelled"),
      ),
    );
  const sent = row?.n ?? 0;
  if (sent + adding > limit)
    throw new AppError(
      "SEND_LIMIT",
      `Sending limit reached: at most ${limit} recipients at other servers per hour, ${sent} in the last hour. Not sent; try again later, or ask an administrator to raise the limit`,
      { limit, sentLastHour: sent, refused: adding },
    );
}
