import type { Tx } from "@madoguchi/db/client";
import {
  type ConversationStatus,
  changes,
  comments,
  conversations,
  type DraftContent,
  drafts,
  type HeldCopy,
  heldSends,
  messages,
  outboundMessages,
  outboundQueue,
  users,
} from "@madoguchi/db/schema";
import { aliasedTable, and, eq, gt, inArray, isNull, lte, max, ne, sql } from "drizzle-orm";
import { recordChange } from "../changelog";
import { type CoreContext, nowOf } from "../context";
import { type Conversation, lockInbox, withConversation } from "../conversations/lock";
import { guardingChange, unmarkAnswered } from "../conversations/reply-guard";
import { markSnoozed } from "../conversations/snooze";
import { applyStatus } from "../conversations/status";
import { AppError } from "../errors";
import { removeMessages } from "../mailstore/expunge";

/** Default undo window when the inbox sets none (seconds). */
export const DEFAULT_UNDO_SECONDS = 10;
/** A send held longer than this from now is a 送信予約, not an undo window running out. */
export const SCHEDULED_AFTER_MS = 60_000;
/** 送信予約 at most this far ahead: past a long holiday (年末年始, Golden Week), not months. */
export const MAX_SCHEDULE_DAYS = 14;

/**
 * Until when the server holds a send: the inbox's undo window from now (null: none, it goes at
 * once), or the time chosen for a 送信予約 (which is then undoable until it goes; never inside
 * the undo window). A scheduled send is held exactly as an undoable one: its queue rows wait
 * until then, so a restart or a closed tab changes nothing. A time, not a duration: the send
 * goes at the time chosen however long storing it took.
 */
export function heldUntilFor(undoSeconds: number, sendAt: Date | undefined, now: Date): Date | null {
  const windowEnd = new Date(now.getTime() + undoSeconds * 1000);
  if (!sendAt) return undoSeconds > 0 ? windowEnd : null;
  const ms = sendAt.getTime() - now.getTime();
  if (!(ms > 0))
    throw new AppError("INVALID_INPUT", "The time to send is not in the future", { field: "sendAt" });
  if (ms > MAX_SCHEDULE_DAYS * 24 * 60 * 60 * 1000)
    throw new AppError("INVALID_INPUT", `A send can be scheduled at most ${MAX_SCHEDULE_DAYS} days ahead`, {
      field: "sendAt",
    });
  return sendAt > windowEnd ? sendAt : windowEnd;
}

export interface ScheduledSend {
  outboundId: number;
  author: { id: number; name: string };
  releaseAt: Date;
  /** The copies stored here (Sent, a local recipient's): shown as not sent yet. */
  messageIds: number[];
}

/**
 * Every send of the team on a conversation still held (送信予約, or inside the undo window):
 * teammates see that a reply is on its way, and its author can take it back after a reload.
 */
export async function scheduledSendsOf(ctx: CoreContext, conversationId: number): Promise<ScheduledSend[]> {
  const rows = await ctx.db
    .select({
      outboundId: heldSends.outboundMessageId,
      authorId: heldSends.authorId,
      name: users.name,
      releaseAt: heldSends.releaseAt,
      copies: heldSends.copies,
    })
    .from(heldSends)
    .innerJoin(users, eq(users.id, heldSends.authorId))
    .where(and(eq(heldSends.conversationId, conversationId), gt(heldSends.releaseAt, nowOf(ctx))))
    .orderBy(heldSends.releaseAt);
  return rows.map((r) => ({
    outboundId: r.outboundId,
    author: { id: r.authorId, name: r.name },
    releaseAt: r.releaseAt,
    messageIds: r.copies.map((c) => c.messageId),
  }));
}

export interface HoldInput {
  outboundId: number;
  userId: number;
  conversationId: number;
  replySeq: number | null;
  statusBefore: ConversationStatus;
  /** The スヌーズ the conversation had before the send, if any. */
  snoozeBefore?: { until: Date; by: number | null } | null;
  /**
   * The view the send answered from (ComposedSend.basedOnSeq): the held draft keeps it, so the
   * text given back is checked against what came since, not against the whole conversation.
   */
  basedOnSeq: number | null;
  /** What was sent, kept as the "held" draft so a cancel gives it back intact. */
  draft: DraftContent;
  copies: HeldCopy[];
  releaseAt: Date;
}

/**
 * Turns the author's editing draft (with its uploaded files) into the held copy of what was
 * sent, or writes one, and records the held send. Idempotent for a resumed send.
 */
export async function holdSend(ctx: CoreContext, input: HoldInput): Promise<void> {
  const now = nowOf(ctx);
  await ctx.db.transaction(async (tx) => {
    const [already] = await tx
      .select({ id: heldSends.outboundMessageId })
      .from(heldSends)
      .where(eq(heldSends.outboundMessageId, input.outboundId));
    if (already) return;
    const [editing] = await tx
      .select({ id: drafts.id })
      .from(drafts)
      .where(
        and(
          eq(drafts.conversationId, input.conversationId),
          eq(drafts.authorId, input.userId),
          eq(drafts.state, "editing"),
        ),
      );
    const [draft] = editing
      ? await tx
          .update(drafts)
          .set({
            state: "held",
            content: input.draft,
            updatedAt: now,
            ...(input.basedOnSeq !== null ? { basedOnSeq: input.basedOnSeq } : {}),
          })
          .where(eq(drafts.id, editing.id))
          .returning({ id: drafts.id })
      : await tx
          .insert(drafts)
          .values({
            conversationId: input.conversationId,
            authorId: input.userId,
            content: input.draft,
            state: "held",
            basedOnSeq: input.basedOnSeq ?? 0,
            createdAt: now,
            updatedAt: now,
          })
          .returning({ id: drafts.id });
    if (!draft) throw new Error("held draft write returned nothing");
    await tx.insert(heldSends).values({
      outboundMessageId: input.outboundId,
      draftId: draft.id,
      conversationId: input.conversationId,
      authorId: input.userId,
      replySeq: input.replySeq,
      statusBefore: input.statusBefore,
      snoozeBefore: input.snoozeBefore
        ? { until: input.snoozeBefore.until.toISOString(), by: input.snoozeBefore.by }
        : null,
      copies: input.copies,
      releaseAt: input.releaseAt,
      createdAt: now,
    });
  });
}

export interface HeldSendView {
  outboundId: number;
  releaseAt: Date;
}

/**
 * The author's sends on a conversation still inside their window (a reloaded composer shows
 * the undo bar again). Held drafts whose window is over are dropped here: they went out.
 */
export async function heldSendsOf(
  ctx: CoreContext,
  input: { userId: number; conversationId: number },
): Promise<HeldSendView[]> {
  const now = nowOf(ctx);
  const mine = and(eq(heldSends.conversationId, input.conversationId), eq(heldSends.authorId, input.userId));
  const over = await ctx.db
    .select({ draftId: heldSends.draftId })
    .from(heldSends)
    .where(and(mine, lte(heldSends.releaseAt, now)));
  if (over.length)
    await ctx.db.delete(drafts).where(
      inArray(
        drafts.id,
        over.map((o) => o.draftId),
      ),
    );
  return (await scheduledSendsOf(ctx, input.conversationId))
    .filter((s) => s.author.id === input.userId)
    .map(({ outboundId, releaseAt }) => ({ outboundId, releaseAt }));
}

/** Why a held send was taken back other than by its author: the customer wrote meanwhile. */
export type CancelReason = "customer_wrote";

/** What a reply_cancelled entry records. */
interface Cancelled {
  replySeq: number | null;
  outboundId: number;
  reason?: CancelReason;
}

/**
 * A 送信予約 of a reply (held past the undo window) whose conversation got a customer message
 * after the reply was written: sent as it is, it would answer what the customer no longer asks,
 * or miss what they added. SQL over held_sends `h`, for the claim to leave it alone and for
 * withdrawOvertakenSends to find it.
 */
export const overtakenByCustomer = sql`(h.reply_seq is not null
  and h.release_at > h.created_at + ${`${SCHEDULED_AFTER_MS} milliseconds`}::interval
  and exists (select 1 from ${changes} c where c.conversation_id = h.conversation_id
    and c.seq > h.reply_seq and c.kind = 'message_added' and c.data->>'direction' = 'inbound'))`;

/**
 * Takes back every 送信予約 the customer has overtaken (overtakenByCustomer), as its author's
 * 予約を取り消す would: nothing goes out, the text is back in the author's composer, and the
 * activity says the customer's new mail was why. The delivery workers run this before they
 * claim, and never claim such a send meanwhile, so it cannot go out at its time either.
 * Returns what was taken back; a send taken back or claimed meanwhile by another process is
 * skipped.
 */
export async function withdrawOvertakenSends(ctx: CoreContext): Promise<CancelledSend[]> {
  const h = aliasedTable(heldSends, "h");
  const found = await ctx.db
    .select({ outboundId: h.outboundMessageId, authorId: h.authorId })
    .from(h)
    .where(overtakenByCustomer)
    .orderBy(h.outboundMessageId)
    .limit(100);
  const withdrawn: CancelledSend[] = [];
  for (const { outboundId, authorId } of found) {
    try {
      withdrawn.push(await cancelHeldSend(ctx, { userId: authorId, outboundId, reason: "customer_wrote" }));
    } catch (err) {
      // Taken back by its author, or claimed, in between: nothing left to do.
      if (!(err instanceof AppError)) throw err;
    }
  }
  return withdrawn;
}

export interface CancelledSend {
  conversationId: number;
  draftId: number;
  /** The send's conversation had nothing else in it and is gone (its entries stay in the log). */
  conversationRemoved: boolean;
  /** The draft given back is a new-message draft (no conversation, its From inbox set). */
  newDraft: boolean;
}

/**
 * Undo: inside the window, in one transaction, the outbound message and its queue rows go,
 * the copies the send stored here (Sent, local recipients) are expunged, a reply_cancelled
 * entry takes the reply out of the guard, the status goes back unless a teammate changed it
 * meanwhile, and the held draft becomes the editing draft again (text, recipients, files).
 * A conversation the send had started (新規作成, or a local recipient's copy) that is left with
 * no message and no comment is deleted, so no empty row stays in any list, and the draft is a
 * new-message draft of its inbox again, for the new-message composer.
 * Refused once a worker has claimed a row or the window is over: then it has gone out.
 */
export async function cancelHeldSend(
  ctx: CoreContext,
  input: {
    userId: number;
    outboundId: number;
    /**
     * Why, when the author did not press 予約を取り消す: "customer_wrote" (withdrawOvertakenSends),
     * which may also take back a send past its time that no worker has claimed.
     */
    reason?: CancelReason;
  },
): Promise<CancelledSend> {
  const [peek] = await ctx.db
    .select({ conversationId: heldSends.conversationId, authorId: heldSends.authorId })
    .from(heldSends)
    .where(eq(heldSends.outboundMessageId, input.outboundId));
  if (peek?.authorId !== input.userId)
    throw new AppError("NOT_FOUND", "No send of yours is waiting in its undo window");
  return withConversation(ctx, peek.conversationId, input.userId, async (tx, conversation) => {
    const now = nowOf(ctx);
    const [held] = await tx
      .select()
      .from(heldSends)
      .where(eq(heldSends.outboundMessageId, input.outboundId))
      .for("update");
    if (!held) throw new AppError("NOT_FOUND", "No send of yours is waiting in its undo window");
    // A worker's claim locks these rows too (SKIP LOCKED): whoever is first wins, the other
    // sees the result: rows already "sending" mean the message may be on the wire.
    const rows = await tx
      .select({ state: outboundQueue.state, attempts: outboundQueue.attempts })
      .from(outboundQueue)
      .where(eq(outboundQueue.outboundMessageId, held.outboundMessageId))
      .for("update");
    const past = held.releaseAt <= now && input.reason !== "customer_wrote";
    if (past || rows.some((r) => r.state !== "queued" || r.attempts > 0))
      throw new AppError("CONFLICT", "Too late to undo: the reply has been sent", { sent: true });
    const others = await removeCopies(tx, conversation, held.copies, input.userId);
    await tx.delete(outboundMessages).where(eq(outboundMessages.id, held.outboundMessageId));
    const cancelled = {
      replySeq: held.replySeq,
      outboundId: held.outboundMessageId,
      ...(input.reason ? { reason: input.reason } : {}),
    };
    // A local recipient's copy may have started a conversation in its inbox: the expunge removed
    // it with the copy if nothing else is in it (settleConversations); the entry says why.
    for (const other of others)
      await recordRemoval(tx, other, input.userId, { replySeq: null, outboundId: cancelled.outboundId });
    const left = await leftIn(tx, conversation.id);
    if (isEmpty(left)) {
      // Detached first: the conversation's drafts go with it.
      await tx
        .update(drafts)
        .set({ conversationId: null, inboxId: conversation.inboxId, state: "editing", updatedAt: now })
        .where(eq(drafts.id, held.draftId));
      await removeConversation(tx, conversation, input.userId, cancelled);
      return {
        conversationId: conversation.id,
        draftId: held.draftId,
        conversationRemoved: true,
        newDraft: true,
      };
    }
    const seq = await recordChange(tx, {
      inboxId: conversation.inboxId,
      kind: "reply_cancelled",
      conversationId: conversation.id,
      actorId: input.userId,
      data: cancelled,
    });
    const [guard] = await tx
      .select({ seq: max(changes.seq) })
      .from(changes)
      .where(
        and(
          eq(changes.inboxId, conversation.inboxId),
          eq(changes.conversationId, conversation.id),
          guardingChange,
        ),
      );
    await tx
      .update(conversations)
      .set({ guardSeq: Number(guard?.seq ?? 0), lastSeq: seq })
      .where(eq(conversations.id, conversation.id));
    conversation.lastSeq = seq;
    await unmarkAnswered(tx, conversation, seq);
    if (!(await statusChangedByOthers(tx, conversation.id, held.replySeq ?? 0, input.userId))) {
      await applyStatus(tx, conversation, held.statusBefore, input.userId, "reply_cancelled");
      await restoreSnooze(tx, conversation, held.snoozeBefore, input.userId, nowOf(ctx));
    }
    // The author may have started another draft meanwhile: it stays, the restored one is newer.
    // A new message's draft leaves the conversation again, a new-message draft as before the
    // send: a saved one has its From inbox; one sent unsaved is known by the emptied conversation
    // (kept for a teammate's comment).
    const [draft] = await tx
      .select({ inboxId: drafts.inboxId })
      .from(drafts)
      .where(eq(drafts.id, held.draftId));
    const newDraft = !left.messages || (draft?.inboxId ?? null) !== null;
    await tx
      .update(drafts)
      .set({
        state: "editing",
        updatedAt: now,
        ...(newDraft ? { conversationId: null, inboxId: draft?.inboxId ?? conversation.inboxId } : {}),
      })
      .where(eq(drafts.id, held.draftId));
    return { conversationId: conversation.id, draftId: held.draftId, conversationRemoved: false, newDraft };
  });
}

/** What a conversation still holds once the copies are gone. */
async function leftIn(tx: Tx, conversationId: number): Promise<{ messages: boolean; comments: boolean }> {
  const [message] = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(eq(messages.conversationId, conversationId))
    .limit(1);
  const [comment] = await tx
    .select({ id: comments.id })
    .from(comments)
    .where(and(eq(comments.conversationId, conversationId), isNull(comments.deletedAt)))
    .limit(1);
  return { messages: message !== undefined, comments: comment !== undefined };
}

/** Nothing a list row or the conversation view could show: no message, no teammate's comment. */
const isEmpty = (left: { messages: boolean; comments: boolean }) => !left.messages && !left.comments;

/**
 * Deletes a conversation the cancelled send had started (its reads, drafts and claims go with
 * it), with its entry (recordRemoval). Its inbox is locked already.
 */
async function removeConversation(
  tx: Tx,
  conversation: { id: number; inboxId: number },
  actorId: number,
  cancelled: Cancelled,
) {
  await recordRemoval(tx, conversation, actorId, cancelled);
  await tx.delete(conversations).where(eq(conversations.id, conversation.id));
}

/**
 * The reply_cancelled entry of a conversation the undo removed (here, or by the expunge of the
 * copies): any change nudges open lists to refetch, and the row is no longer there.
 */
async function recordRemoval(
  tx: Tx,
  conversation: { id: number; inboxId: number },
  actorId: number,
  cancelled: Cancelled,
) {
  await recordChange(tx, {
    inboxId: conversation.inboxId,
    kind: "reply_cancelled",
    conversationId: conversation.id,
    actorId,
    data: { ...cancelled, conversationRemoved: true },
  });
}

/**
 * Expunges the stored copies (removeMessages recounts their conversations), and returns the
 * conversations of other inboxes the expunge left empty and removed; the send's own
 * conversation is the caller's to settle. Inboxes other than the conversation's are locked
 * after it (the usual inbox-then-conversation order, then the others by id). Two cancels
 * between the same two local inboxes in opposite directions at the same instant can still
 * deadlock: PostgreSQL aborts one, which fails with nothing changed and can be pressed again.
 */
async function removeCopies(
  tx: Tx,
  own: { id: number; inboxId: number },
  copies: HeldCopy[],
  actorId: number,
): Promise<{ id: number; inboxId: number }[]> {
  const byMailbox = new Map<string, { inboxId: number; mailboxId: number; ids: number[] }>();
  for (const c of copies) {
    const key = `${c.inboxId}:${c.mailboxId}`;
    const entry = byMailbox.get(key) ?? { inboxId: c.inboxId, mailboxId: c.mailboxId, ids: [] };
    entry.ids.push(c.messageId);
    byMailbox.set(key, entry);
  }
  const others = [...new Set(copies.map((c) => c.inboxId).filter((id) => id !== own.inboxId))];
  for (const inboxId of others.sort((a, b) => a - b)) await lockInbox(tx, inboxId);
  const removed: { id: number; inboxId: number }[] = [];
  for (const m of byMailbox.values()) {
    const r = await removeMessages(tx, {
      inboxId: m.inboxId,
      mailboxId: m.mailboxId,
      messageIds: m.ids,
      actorId,
      reason: "expunge",
      keep: [own.id],
    });
    for (const id of r.conversationsRemoved) removed.push({ id, inboxId: m.inboxId });
  }
  return removed;
}

async function statusChangedByOthers(tx: Tx, conversationId: number, sinceSeq: number, userId: number) {
  const [row] = await tx
    .select({ seq: changes.seq })
    .from(changes)
    .where(
      and(
        eq(changes.conversationId, conversationId),
        eq(changes.kind, "status_changed"),
        gt(changes.seq, sinceSeq),
        ne(changes.actorId, userId),
      ),
    )
    .limit(1);
  return row !== undefined;
}

/**
 * The スヌーズ a cancelled send ended, back as it was (its time, who set it), if the conversation
 * is 保留 again without one and the time is still ahead; logged as snoozing it again.
 */
async function restoreSnooze(
  tx: Tx,
  conversation: Conversation,
  before: { until: string; by: number | null } | null,
  actorId: number,
  now: Date,
): Promise<void> {
  const until = before ? new Date(before.until) : null;
  if (!before || !until || until <= now) return;
  if (conversation.status !== "waiting" || conversation.snoozedUntil !== null) return;
  await markSnoozed(tx, conversation, until, { actorId, by: before.by });
}
