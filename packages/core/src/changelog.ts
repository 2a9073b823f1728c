import type { Queryable, Tx } from "@madoguchi/db/client";
import { insertJsonRows } from "@madoguchi/db/json-rows";
import { type ChangeKind, changes, inboxes } from "@madoguchi/db/schema";
import { and, asc, eq, gt, sql } from "drizzle-orm";
import { AppError } from "./errors";

/** NOTIFY channel carrying "inbox <id> has new changes"; readers then pull from the change log. */
export const CHANGES_CHANNEL = "madoguchi_changes";

/**
 * Takes the next change-log sequence number of an inbox. Must run inside the writing
 * transaction: the row lock on the counter makes sequence order equal commit order, so a
 * reader resuming from "seq > cursor" never skips a row (a bare bigserial would).
 */
export async function allocateSeq(tx: Tx, inboxId: number): Promise<number> {
  return allocateSeqs(tx, inboxId, 1);
}

/** Takes `count` consecutive sequence numbers at once (a batch of deliveries); returns the first. */
export async function allocateSeqs(tx: Tx, inboxId: number, count: number): Promise<number> {
  // pg_notify inside the transaction is delivered at commit, to every process; identical
  // payloads in one transaction collapse into one nudge per inbox.
  const [row] = await tx
    .update(inboxes)
    .set({ modseq: sql`${inboxes.modseq} + ${count}` })
    .where(eq(inboxes.id, inboxId))
    .returning({
      modseq: inboxes.modseq,
      notified: sql`pg_notify(${CHANGES_CHANNEL}, ${inboxes.id}::text)`,
    });
  if (!row) throw new AppError("NOT_FOUND", `Inbox ${inboxId} does not exist`);
  return row.modseq - count + 1;
}

export interface ChangeInput {
  inboxId: number;
  kind: ChangeKind;
  conversationId?: number | null;
  messageId?: number | null;
  mailboxId?: number | null;
  actorId?: number | null;
  data?: Record<string, unknown>;
}

/** Allocates a sequence number and writes the change row in the caller's transaction. */
export async function recordChange(tx: Tx, input: ChangeInput): Promise<number> {
  const seq = await allocateSeq(tx, input.inboxId);
  await insertChange(tx, seq, input);
  return seq;
}

/** Writes a change row under a sequence number the caller already allocated. */
export async function insertChange(tx: Tx, seq: number, input: ChangeInput): Promise<void> {
  await insertChanges(tx, [{ seq, ...input }]);
}

/** Writes several change rows in one statement (a batch of deliveries). */
export async function insertChanges(tx: Tx, rows: (ChangeInput & { seq: number })[]): Promise<void> {
  if (!rows.length) return;
  await insertJsonRows(
    tx,
    changes,
    rows.map((input) => ({
      inboxId: input.inboxId,
      seq: input.seq,
      kind: input.kind,
      conversationId: input.conversationId ?? null,
      messageId: input.messageId ?? null,
      mailboxId: input.mailboxId ?? null,
      actorId: input.actorId ?? null,
      data: input.data ?? {},
    })),
  );
}

export type Change = typeof changes.$inferSelect;

/** Changes of an inbox after `afterSeq`, oldest first: the catch-up read for every client. */
export async function changesSince(
  db: Queryable,
  inboxId: number,
  afterSeq: number,
  limit = 500,
): Promise<Change[]> {
  return db
    .select()
    .from(changes)
    .where(and(eq(changes.inboxId, inboxId), gt(changes.seq, afterSeq)))
    .orderBy(asc(changes.seq))
    .limit(limit);
}
