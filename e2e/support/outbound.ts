import type { Queryable } from "@madoguchi/db/client";
import { outboundMessages, outboundQueue } from "@madoguchi/db/schema";
import { inArray, type SQL } from "drizzle-orm";

/** What the server would deliver among the outbound messages `where` picks: them and their queue rows. */
export async function outboundWhere(db: Queryable, where: SQL | undefined) {
  const messages = await db.select().from(outboundMessages).where(where);
  const rows = messages.length
    ? await db
        .select()
        .from(outboundQueue)
        .where(
          inArray(
            outboundQueue.outboundMessageId,
            messages.map((m) => m.id),
          ),
        )
    : [];
  return { messages, rows };
}
