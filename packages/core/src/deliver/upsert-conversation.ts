import type { Tx } from "@madoguchi/db/client";
import { conversations, type MessageDirection } from "@madoguchi/db/schema";
import type { ParsedMessage } from "@madoguchi/mail/parse";
import { normalizeSubject } from "@madoguchi/mail/threading";
import { eq, sql } from "drizzle-orm";
import { allocateSeq, insertChange } from "../changelog";
import { applyStatus } from "../conversations/status";
import { customerOf } from "./message-fields";
import { threadAlone } from "./store-batch";

// One message at a time, for reprocessing kept-raw mail; deliveries go through store-batch.ts.

/** Finds or creates the conversation; a customer writing again reopens a done/waiting one. */
export async function upsertConversation(
  tx: Tx,
  inboxId: number,
  parsed: ParsedMessage,
  direction: MessageDirection,
  now: Date,
  actorId: number | null,
): Promise<number> {
  const customer = customerOf(parsed, direction);
  const found = await threadAlone(tx, inboxId, { parsed, direction, now });
  if (found?.row) {
    if (direction === "inbound" && (found.status === "done" || found.status === "waiting"))
      await applyStatus(tx, found.row, "open", null, "customer_wrote");
    return found.id;
  }
  const [created] = await tx
    .insert(conversations)
    .values({
      inboxId,
      subject: parsed.subject,
      normalizedSubject: normalizeSubject(parsed.subject),
      customerAddress: customer.address,
      customerName: customer.name,
    })
    .returning({ id: conversations.id });
  if (!created) throw new Error("insert into conversations returned nothing");
  const seq = await allocateSeq(tx, inboxId);
  await insertChange(tx, seq, { inboxId, kind: "conversation_created", conversationId: created.id, actorId });
  return created.id;
}

export async function touchConversation(
  tx: Tx,
  conversationId: number,
  seq: number,
  direction: MessageDirection,
  at: Date,
): Promise<void> {
  await tx
    .update(conversations)
    .set({
      messageCount: sql`${conversations.messageCount} + 1`,
      lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${at.toISOString()}::timestamptz)`,
      lastSeq: seq,
      // A new customer message makes any reply drafted before it stale.
      ...(direction === "inbound"
        ? {
            guardSeq: seq,
            lastInboundAt: sql`greatest(${conversations.lastInboundAt}, ${at.toISOString()}::timestamptz)`,
          }
        : {
            lastOutboundAt: sql`greatest(${conversations.lastOutboundAt}, ${at.toISOString()}::timestamptz)`,
          }),
    })
    .where(eq(conversations.id, conversationId));
}
