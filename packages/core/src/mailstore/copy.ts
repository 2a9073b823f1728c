import type { Queryable, Tx } from "@madoguchi/db/client";
import { mailboxes, messages, messageUserState } from "@madoguchi/db/schema";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { allocateSeq, insertChange } from "../changelog";
import type { CoreContext } from "../context";
import { followJunkFolder } from "../conversations/junk";
import { lockInbox } from "../conversations/lock";
import { deliver } from "../deliver/deliver";
import { AppError } from "../errors";
import { conversationIdsOf, removeMessages } from "./expunge";
import { type MailboxInfo, mailboxForUser } from "./folders";

export interface CopyResult {
  /** UIDVALIDITY of the target folder, for UIDPLUS COPYUID. */
  uidValidity: number;
  /** [source uid, new uid] pairs in source UID order. */
  mapping: [number, number][];
  /** Source UIDs removed (MOVE). */
  expunged: number[];
}

/**
 * IMAP COPY / MOVE. Within one inbox the rows are copied in one transaction (same
 * conversation, flags and every user's \Seen kept) and, for MOVE, the sources removed in the
 * same transaction. Across inboxes (personal → shared) each message is delivered into the
 * target inbox, where it is threaded anew; the sources are removed only afterwards, so a crash
 * in between leaves a copy in both places rather than none.
 */
export async function copyMessages(
  ctx: CoreContext,
  input: { userId: number; fromMailboxId: number; toMailboxId: number; uids: number[]; move?: boolean },
): Promise<CopyResult> {
  const from = await mailboxForUser(ctx.db, input.userId, input.fromMailboxId);
  const to = await mailboxForUser(ctx.db, input.userId, input.toMailboxId);
  if (from.id === to.id && input.move)
    throw new AppError("INVALID_INPUT", "Cannot move messages onto their own folder");
  return from.inboxId === to.inboxId
    ? copyWithinInbox(ctx, input, from, to)
    : copyAcrossInboxes(ctx, input, from, to);
}

async function copyWithinInbox(
  ctx: CoreContext,
  input: { userId: number; uids: number[]; move?: boolean },
  from: MailboxInfo,
  to: MailboxInfo,
): Promise<CopyResult> {
  return ctx.db.transaction(async (tx) => {
    await lockInbox(tx, from.inboxId);
    const sources = await sourceRows(tx, from.id, input.uids);
    const result = await copyRows(tx, { sources, from, to, actorId: input.userId, move: input.move });
    await followJunkFolder(tx, { conversationIds: conversationIdsOf(sources), to, actorId: input.userId });
    return result;
  });
}

type Folder = Pick<MailboxInfo, "id" | "inboxId" | "uidValidity">;

/**
 * Copies (or moves) message rows between two folders of one inbox, the caller holding the
 * inbox lock: same conversation, flags and every user's \Seen kept, new UIDs in the target, and
 * for a move the sources removed in the same transaction.
 */
export async function copyRows(
  tx: Tx,
  input: { sources: MessageRow[]; from: Folder; to: Folder; actorId: number; move?: boolean },
): Promise<CopyResult> {
  const { sources, from, to } = input;
  if (!sources.length) return { uidValidity: to.uidValidity, mapping: [], expunged: [] };
  const seq = await allocateSeq(tx, to.inboxId);
  const [reserved] = await tx
    .update(mailboxes)
    .set({ uidNext: sql`${mailboxes.uidNext} + ${sources.length}`, highestModseq: seq })
    .where(eq(mailboxes.id, to.id))
    .returning({ uidNext: mailboxes.uidNext, uidValidity: mailboxes.uidValidity });
  if (!reserved) throw new Error("target mailbox vanished");
  const firstUid = reserved.uidNext - sources.length;
  const inserted = await tx
    .insert(messages)
    .values(
      sources.map(({ id: _, createdAt: __, ...m }, i) => ({
        ...m,
        mailboxId: to.id,
        uid: firstUid + i,
        modseq: seq,
      })),
    )
    .returning({ id: messages.id, uid: messages.uid });
  const states = await tx
    .select()
    .from(messageUserState)
    .where(
      inArray(
        messageUserState.messageId,
        sources.map((s) => s.id),
      ),
    );
  if (states.length) {
    const newId = new Map(sources.map((s, i) => [s.id, inserted[i]?.id ?? 0]));
    await tx.insert(messageUserState).values(
      states.map((st) => ({
        ...st,
        messageId: newId.get(st.messageId) ?? 0,
        hidden: false,
        modseq: seq,
      })),
    );
  }
  const mapping = sources.map((s, i): [number, number] => [s.uid, firstUid + i]);
  await insertChange(tx, seq, {
    inboxId: to.inboxId,
    kind: "message_added",
    mailboxId: to.id,
    actorId: input.actorId,
    data: { uids: mapping.map((m) => m[1]), copiedFrom: from.id, direction: "copy" },
  });
  let expunged: number[] = [];
  if (input.move) {
    expunged = (
      await removeMessages(tx, {
        inboxId: from.inboxId,
        mailboxId: from.id,
        messageIds: sources.map((s) => s.id),
        actorId: input.actorId,
        reason: "move",
      })
    ).uids;
  }
  return { uidValidity: reserved.uidValidity, mapping, expunged };
}

async function copyAcrossInboxes(
  ctx: CoreContext,
  input: { userId: number; uids: number[]; move?: boolean },
  from: MailboxInfo,
  to: MailboxInfo,
): Promise<CopyResult> {
  const sources = await sourceRows(ctx.db, from.id, input.uids);
  const mapping: [number, number][] = [];
  for (const source of sources) {
    const raw = await ctx.blobs.get(source.blobHash);
    const copy = await deliver(ctx, to.inboxId, raw, {
      mailbox: to.name,
      direction: source.direction,
      flags: source.flags,
      internalDate: source.internalDate,
      actorId: input.userId,
      allowDuplicate: true,
    });
    mapping.push([source.uid, copy.uid]);
  }
  let expunged: number[] = [];
  if (input.move && sources.length) {
    expunged = await ctx.db.transaction(async (tx) => {
      await lockInbox(tx, from.inboxId);
      const r = await removeMessages(tx, {
        inboxId: from.inboxId,
        mailboxId: from.id,
        messageIds: sources.map((s) => s.id),
        actorId: input.userId,
        reason: "move",
      });
      return r.uids;
    });
  }
  return { uidValidity: to.uidValidity, mapping, expunged };
}

type MessageRow = typeof messages.$inferSelect;

async function sourceRows(tx: Queryable, mailboxId: number, uids: number[]): Promise<MessageRow[]> {
  if (!uids.length) return [];
  return tx
    .select()
    .from(messages)
    .where(and(eq(messages.mailboxId, mailboxId), inArray(messages.uid, uids)))
    .orderBy(asc(messages.uid));
}
