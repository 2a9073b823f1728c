import type { Tx } from "@madoguchi/db/client";
import { conversations, inboxes } from "@madoguchi/db/schema";
import { eq, sql } from "drizzle-orm";
import { assertInboxAccess } from "../authz";
import type { CoreContext } from "../context";
import { AppError } from "../errors";

export type Conversation = typeof conversations.$inferSelect;

/**
 * Locks an inbox's change-log counter row; every writer of the inbox takes it first. Resolves
 * with the counter: FOR UPDATE returns its newest value once the lock is granted.
 */
export async function lockInbox(tx: Tx, inboxId: number): Promise<number> {
  return (await lockInboxForDelivery(tx, inboxId)).modseq;
}

/**
 * lockInbox for a delivery, which also needs to know whether the inbox sends 自動返信 (read
 * through the lock's own statement: the flag as of the lock is good enough for a setting).
 */
export async function lockInboxForDelivery(
  tx: Tx,
  inboxId: number,
): Promise<{ modseq: number; autoReply: boolean }> {
  const [row] = await tx
    .select({
      modseq: inboxes.modseq,
      autoReply: sql<boolean>`coalesce((${inboxes.settings}->'autoReply'->>'enabled')::boolean, false)`,
    })
    .from(inboxes)
    .where(eq(inboxes.id, inboxId))
    .for("update");
  if (!row) throw new AppError("NOT_FOUND", `Inbox ${inboxId} does not exist`);
  return row;
}

/**
 * Runs `fn` in a transaction holding the inbox counter lock and the conversation row lock,
 * after checking the user may work the inbox. Lock order is always inbox, then conversation,
 * for every writer (deliver included), so writers never deadlock.
 */
export async function withConversation<T>(
  ctx: CoreContext,
  conversationId: number,
  userId: number,
  fn: (tx: Tx, conversation: Conversation) => Promise<T>,
): Promise<T> {
  return ctx.db.transaction(async (tx) => {
    const [peek] = await tx
      .select({ inboxId: conversations.inboxId })
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    if (!peek) throw new AppError("NOT_FOUND", `Conversation ${conversationId} does not exist`);
    await assertInboxAccess(tx, userId, peek.inboxId);
    await lockInbox(tx, peek.inboxId);
    const [conversation] = await tx
      .select()
      .from(conversations)
      .where(eq(conversations.id, conversationId))
      .for("update");
    if (!conversation) throw new AppError("NOT_FOUND", `Conversation ${conversationId} does not exist`);
    return fn(tx, conversation);
  });
}

export async function getConversation(
  ctx: CoreContext,
  conversationId: number,
  userId: number,
): Promise<Conversation> {
  const [row] = await ctx.db.select().from(conversations).where(eq(conversations.id, conversationId));
  if (!row) throw new AppError("NOT_FOUND", `Conversation ${conversationId} does not exist`);
  await assertInboxAccess(ctx.db, userId, row.inboxId);
  return row;
}
