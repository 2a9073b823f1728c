import type { Tx } from "@madoguchi/db/client";
import {
  changes,
  conversations,
  type DraftContent,
  drafts,
  inboxes,
  messages,
  users,
} from "@madoguchi/db/schema";
import { and, desc, eq, gt, or, sql } from "drizzle-orm";
import { recordChange } from "../changelog";
import type { CoreContext } from "../context";
import { nowOf } from "../context";
import { AppError } from "../errors";
import { type Conversation, withConversation } from "./lock";
import { applyStatus } from "./status";
import { raiseFolderModseq } from "./touch-messages";

/** How long "X is replying" holds without being renewed. */
export const REPLY_CLAIM_TTL_MS = 2 * 60 * 1000;

export type ClaimResult =
  | { claimed: true; expiresAt: Date }
  | { claimed: false; holderId: number; holderName: string; expiresAt: Date };

/**
 * Takes (or renews) the "I am replying" lease. Advisory only: others see it, but the
 * send-time guard in recordReply is what prevents a second answer, since a lease can go
 * stale (a laptop sleeps).
 */
export async function claimReply(
  ctx: CoreContext,
  input: { conversationId: number; userId: number; ttlMs?: number; takeOver?: boolean },
): Promise<ClaimResult> {
  const now = nowOf(ctx);
  return withConversation(ctx, input.conversationId, input.userId, async (tx, conversation) => {
    const holder = conversation.replyClaimUserId;
    const until = conversation.replyClaimExpiresAt;
    const heldByOther = holder !== null && holder !== input.userId && until !== null && until > now;
    if (heldByOther && !input.takeOver) {
      const [row] = await tx.select({ name: users.name }).from(users).where(eq(users.id, holder));
      return { claimed: false, holderId: holder, holderName: row?.name ?? "?", expiresAt: until };
    }
    const expiresAt = new Date(now.getTime() + (input.ttlMs ?? REPLY_CLAIM_TTL_MS));
    const renewing = holder === input.userId && until !== null && until > now;
    const patch: Partial<Conversation> = { replyClaimUserId: input.userId, replyClaimExpiresAt: expiresAt };
    if (!renewing) {
      patch.lastSeq = await recordChange(tx, {
        inboxId: conversation.inboxId,
        kind: "reply_claimed",
        conversationId: conversation.id,
        actorId: input.userId,
        // Taking over from a teammate is an explicit choice, kept in the audit trail.
        data: { expiresAt: expiresAt.toISOString(), ...(heldByOther ? { takenOverFrom: holder } : {}) },
      });
    }
    await tx.update(conversations).set(patch).where(eq(conversations.id, conversation.id));
    return { claimed: true, expiresAt };
  });
}

export async function releaseReplyClaim(
  ctx: CoreContext,
  input: { conversationId: number; userId: number },
): Promise<void> {
  await withConversation(ctx, input.conversationId, input.userId, async (tx, conversation) => {
    if (conversation.replyClaimUserId !== input.userId) return;
    await tx
      .update(conversations)
      .set({ replyClaimUserId: null, replyClaimExpiresAt: null })
      .where(eq(conversations.id, conversation.id));
  });
}

/** What made a reply stale: the newest guarding change after the author's view. */
export interface ReplyConflict {
  kind: "reply_sent" | "comment_added" | "message_added";
  seq: number;
  at: Date;
  byUserId: number | null;
  /** The teammate's name, or the customer's address for a new customer message. */
  byName: string;
  draftId: number | null;
}

/** A reply that stands: sent, and not taken back inside its undo window. */
const standingReply = and(
  eq(changes.kind, "reply_sent"),
  sql`not exists (select 1 from changes undo where undo.inbox_id = ${changes.inboxId}
    and undo.conversation_id = ${changes.conversationId} and undo.kind = 'reply_cancelled'
    and (undo.data->>'replySeq')::bigint = ${changes.seq})`,
);

/**
 * The changes the guard objects to: a reply (unless its author undid it inside the undo
 * window: a reply_cancelled names its seq), a comment, or a customer message.
 */
export const guardingChange = or(
  standingReply,
  eq(changes.kind, "comment_added"),
  and(eq(changes.kind, "message_added"), sql`${changes.data}->>'direction' = 'inbound'`),
);

async function findConflict(
  tx: Tx,
  conversation: Conversation,
  basedOnSeq: number,
): Promise<Omit<ReplyConflict, "draftId">> {
  const [row] = await tx
    .select({
      kind: changes.kind,
      seq: changes.seq,
      at: changes.createdAt,
      actorId: changes.actorId,
      name: users.name,
    })
    .from(changes)
    .leftJoin(users, eq(users.id, changes.actorId))
    .where(
      and(
        eq(changes.inboxId, conversation.inboxId),
        eq(changes.conversationId, conversation.id),
        gt(changes.seq, basedOnSeq),
        guardingChange,
      ),
    )
    .orderBy(desc(changes.seq))
    .limit(1);
  if (!row) {
    return { kind: "reply_sent", seq: conversation.guardSeq, at: new Date(), byUserId: null, byName: "?" };
  }
  return {
    kind: row.kind as ReplyConflict["kind"],
    seq: row.seq,
    at: row.at,
    byUserId: row.actorId,
    byName: row.name ?? conversation.customerAddress ?? "customer",
  };
}

export function describeConflict(c: ReplyConflict): string {
  const when = c.at.toISOString();
  if (c.kind === "reply_sent") return `${c.byName} already replied to this conversation at ${when}`;
  if (c.kind === "comment_added")
    return `${c.byName} commented on this conversation at ${when}; read it before replying`;
  return `The customer (${c.byName}) wrote again at ${when}; read the new message before replying`;
}

/** Marks the conversation's customer messages \Answered, at the reply's modseq. */
async function markAnswered(tx: Tx, conversation: Conversation, seq: number): Promise<void> {
  const updated = await tx
    .update(messages)
    .set({ flags: sql`${messages.flags} || '["\\\\Answered"]'::jsonb`, modseq: seq })
    .where(
      and(
        eq(messages.conversationId, conversation.id),
        eq(messages.direction, "inbound"),
        sql`not (${messages.flags} ? '\\Answered')`,
      ),
    )
    .returning({ mailboxId: messages.mailboxId });
  await raiseFolderModseq(tx, updated, seq);
}

/**
 * markAnswered taken back for a cancelled reply: unless another reply of the conversation
 * stands, \Answered leaves its customer messages, as it means "the team replied". (One a user set
 * by hand from a mail client goes too: nothing tells the two apart, and it is rare.)
 */
export async function unmarkAnswered(tx: Tx, conversation: Conversation, seq: number): Promise<void> {
  const [other] = await tx
    .select({ seq: changes.seq })
    .from(changes)
    .where(
      and(
        eq(changes.inboxId, conversation.inboxId),
        eq(changes.conversationId, conversation.id),
        standingReply,
      ),
    )
    .limit(1);
  if (other) return;
  const updated = await tx
    .update(messages)
    .set({ flags: sql`${messages.flags} - '\\Answered'`, modseq: seq })
    .where(
      and(
        eq(messages.conversationId, conversation.id),
        eq(messages.direction, "inbound"),
        sql`${messages.flags} ? '\\Answered'`,
      ),
    )
    .returning({ mailboxId: messages.mailboxId });
  await raiseFolderModseq(tx, updated, seq);
}

export interface ReplyInput {
  conversationId: number;
  userId: number;
  /** The change-log seq of the conversation as the author last saw it. */
  basedOnSeq: number;
  /** Send anyway after a conflict: an explicit, audited choice. */
  override?: boolean;
  /** Kept as a refused draft when the guard says no. */
  draft?: DraftContent;
}

export type RecordReplyResult = { sent: true; seq: number } | { sent: false; conflict: ReplyConflict };

/**
 * The send-time guard. Inside one transaction with the conversation locked: if a reply, a
 * comment or a customer message arrived after `basedOnSeq` (the change-log seq the author
 * last saw), the send is refused, the draft kept, and the refusal logged; with `override`
 * the reply goes through and the override is in the audit trail. Of N concurrent calls with
 * the same basedOnSeq exactly one succeeds: the first commit moves guardSeq past it.
 */
export async function tryRecordReply(ctx: CoreContext, input: ReplyInput): Promise<RecordReplyResult> {
  return withConversation(ctx, input.conversationId, input.userId, async (tx, conversation) => {
    const stale = conversation.guardSeq > input.basedOnSeq;
    if (stale && !input.override) {
      const found = await findConflict(tx, conversation, input.basedOnSeq);
      let draftId: number | null = null;
      if (input.draft) {
        const [draft] = await tx
          .insert(drafts)
          .values({
            conversationId: conversation.id,
            authorId: input.userId,
            content: input.draft,
            basedOnSeq: input.basedOnSeq,
            state: "refused",
          })
          .returning({ id: drafts.id });
        draftId = draft?.id ?? null;
      }
      const conflict: ReplyConflict = { ...found, draftId };
      await recordChange(tx, {
        inboxId: conversation.inboxId,
        kind: "reply_refused",
        conversationId: conversation.id,
        actorId: input.userId,
        data: { basedOnSeq: input.basedOnSeq, conflictSeq: found.seq, conflictKind: found.kind, draftId },
      });
      return { sent: false, conflict };
    }
    const seq = await recordChange(tx, {
      inboxId: conversation.inboxId,
      kind: "reply_sent",
      conversationId: conversation.id,
      actorId: input.userId,
      data: {
        basedOnSeq: input.basedOnSeq,
        ...(stale ? { override: true, overriddenSeq: conversation.guardSeq } : {}),
      },
    });
    await markAnswered(tx, conversation, seq);
    await tx
      .update(conversations)
      .set({
        guardSeq: seq,
        lastSeq: seq,
        lastOutboundAt: nowOf(ctx),
        ...(conversation.replyClaimUserId === input.userId
          ? { replyClaimUserId: null, replyClaimExpiresAt: null }
          : {}),
      })
      .where(eq(conversations.id, conversation.id));
    conversation.lastSeq = seq;
    const [inbox] = await tx
      .select({ settings: inboxes.settings })
      .from(inboxes)
      .where(eq(inboxes.id, conversation.inboxId));
    await applyStatus(tx, conversation, inbox?.settings.statusOnReply ?? "done", input.userId, "reply_sent");
    return { sent: true, seq };
  });
}

/** tryRecordReply that throws REPLY_CONFLICT (after the refusal and draft are committed). */
export async function recordReply(ctx: CoreContext, input: ReplyInput): Promise<{ seq: number }> {
  const result = await tryRecordReply(ctx, input);
  if (!result.sent)
    throw new AppError("REPLY_CONFLICT", describeConflict(result.conflict), { ...result.conflict });
  return { seq: result.seq };
}
