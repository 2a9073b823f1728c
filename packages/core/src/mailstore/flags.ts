import type { Tx } from "@madoguchi/db/client";
import {
  type ConversationStatus,
  conversations,
  mailboxes,
  messages,
  messageUserState,
} from "@madoguchi/db/schema";
import { and, eq, inArray, sql } from "drizzle-orm";
import { allocateSeq, insertChange } from "../changelog";
import type { CoreContext } from "../context";
import { applyAssignee } from "../conversations/assign";
import { lockInbox } from "../conversations/lock";
import { applyStatus } from "../conversations/status";
import { findUserByEmail } from "../directory/users";
import { AppError } from "../errors";
import { readStateFromSeen } from "../web/read-seen";
import { mailboxForUser } from "./folders";
import { assigneeFromKeyword, isDerivedKeyword, statusFromKeyword } from "./keywords";
import { type MessageMeta, selectMeta } from "./messages";

export type StoreMode = "add" | "remove" | "replace";

/** Keywords a message may carry; beyond that a client is flooding, not tagging. */
export const MAX_KEYWORDS_PER_MESSAGE = 64;

export interface StoreResult {
  /** Messages whose flags changed, with their new flags and modseq. */
  updated: MessageMeta[];
  /** CONDSTORE: messages left alone because they changed after UNCHANGEDSINCE. */
  failedUids: number[];
}

const SEEN = "\\seen";

function applyMode(current: string[], flags: string[], mode: StoreMode): string[] {
  const lower = (f: string) => f.toLowerCase();
  if (mode === "replace") return dedupe(flags);
  if (mode === "add") return dedupe([...current, ...flags]);
  const removing = new Set(flags.map(lower));
  return current.filter((f) => !removing.has(lower(f)));
}

function dedupe(flags: string[]): string[] {
  const seen = new Set<string>();
  return flags.filter((f) => {
    const k = f.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((f) => b.includes(f));

/**
 * IMAP STORE for one user on a folder. \Seen is written per user; \Answered \Flagged \Deleted
 * \Draft and keywords are shared by the team. Status and assignee keywords become calls to
 * the status/assignment domain logic: adding `$Status_Done` sets 対応済み; removing the current
 * status keyword reopens (未対応); a replace (FLAGS) without any status keyword leaves the
 * status alone, since clients replace flags without knowing ours.
 */
export async function storeFlags(
  ctx: CoreContext,
  input: {
    userId: number;
    mailboxId: number;
    uids: number[];
    mode: StoreMode;
    flags: string[];
    unchangedSince?: number;
  },
): Promise<StoreResult> {
  const mailbox = await mailboxForUser(ctx.db, input.userId, input.mailboxId);
  const wantedDerived = input.flags.filter(isDerivedKeyword);
  const plain = input.flags.filter((f) => !isDerivedKeyword(f) && f.toLowerCase() !== "\\recent");
  return ctx.db.transaction(async (tx) => {
    await lockInbox(tx, mailbox.inboxId);
    const current = await selectMeta(tx, input.userId, input.mailboxId, inArray(messages.uid, input.uids));
    const failedUids: number[] = [];
    let seq: number | null = null;
    const changedIds: number[] = [];
    const seenAdded: number[] = [];
    const seenRemoved: number[] = [];
    for (const m of current) {
      if (input.unchangedSince !== undefined && m.modseq > input.unchangedSince) {
        failedUids.push(m.uid);
        continue;
      }
      const before = m.flags.filter((f) => !isDerivedKeyword(f));
      const after = applyMode(before, plain, input.mode);
      const seenBefore = before.some((f) => f.toLowerCase() === SEEN);
      const seenAfter = after.some((f) => f.toLowerCase() === SEEN);
      const sharedBefore = before.filter((f) => f.toLowerCase() !== SEEN);
      const sharedAfter = after.filter((f) => f.toLowerCase() !== SEEN);
      const changesShared = !sameSet(sharedBefore, sharedAfter);
      if (!changesShared && seenBefore === seenAfter) continue;
      seq ??= await allocateSeq(tx, mailbox.inboxId);
      if (changesShared) {
        const system = sharedAfter.filter((f) => f.startsWith("\\"));
        const keywords = sharedAfter.filter((f) => !f.startsWith("\\"));
        if (keywords.length > MAX_KEYWORDS_PER_MESSAGE) {
          throw new AppError("INVALID_INPUT", `At most ${MAX_KEYWORDS_PER_MESSAGE} keywords per message`);
        }
        await tx.update(messages).set({ flags: system, keywords, modseq: seq }).where(eq(messages.id, m.id));
      }
      if (seenBefore !== seenAfter) {
        await setSeenRow(tx, m.id, input.userId, seenAfter, seq);
        if (m.conversationId) (seenAfter ? seenAdded : seenRemoved).push(m.conversationId);
      }
      changedIds.push(m.id);
    }
    if (seq !== null) {
      await tx.update(mailboxes).set({ highestModseq: seq }).where(eq(mailboxes.id, input.mailboxId));
      await insertChange(tx, seq, {
        inboxId: mailbox.inboxId,
        kind: "message_flags",
        mailboxId: input.mailboxId,
        actorId: input.userId,
        data: { messageIds: changedIds },
      });
    }
    // \Seen is also the web app's read state for this user.
    await readStateFromSeen(tx, input.userId, seenAdded, seenRemoved);
    const conversationIds = [
      ...new Set(
        current
          .filter((m) => !failedUids.includes(m.uid))
          .flatMap((m) => (m.conversationId ? [m.conversationId] : [])),
      ),
    ];
    const derivedChanged = await applyDerived(
      tx,
      conversationIds,
      input.userId,
      input.mode,
      wantedDerived,
      current,
    );
    const touched = derivedChanged ? current.map((m) => m.id) : changedIds;
    const updated = touched.length
      ? await selectMeta(tx, input.userId, input.mailboxId, inArray(messages.id, touched))
      : [];
    return { updated: updated.filter((m) => !failedUids.includes(m.uid)), failedUids };
  });
}

async function setSeenRow(
  tx: Tx,
  messageId: number,
  userId: number,
  seen: boolean,
  seq: number,
): Promise<void> {
  await tx
    .insert(messageUserState)
    .values({ messageId, userId, seen, modseq: seq })
    .onConflictDoUpdate({
      target: [messageUserState.messageId, messageUserState.userId],
      set: { seen, modseq: seq },
    });
}

/** Status/assignee keywords → domain changes on each affected conversation. */
async function applyDerived(
  tx: Tx,
  conversationIds: number[],
  userId: number,
  mode: StoreMode,
  derived: string[],
  current: MessageMeta[],
): Promise<boolean> {
  if (!conversationIds.length) return false;
  let status: ConversationStatus | undefined;
  let assignee: string | null | undefined;
  for (const k of derived) {
    const s = statusFromKeyword(k);
    const a = assigneeFromKeyword(k);
    if (mode !== "remove") {
      if (s) status = s;
      if (a) assignee = a;
    } else {
      // Removing the keyword that is currently shown clears it.
      const shown = current.some((m) => m.flags.some((f) => f.toLowerCase() === k.toLowerCase()));
      if (s && shown) status = "open";
      if (a && shown) assignee = null;
    }
  }
  if (status === undefined && assignee === undefined) return false;
  let assigneeId: number | null | undefined;
  if (assignee) {
    const user = await findUserByEmail(tx, assignee);
    if (!user) throw new AppError("INVALID_INPUT", `${assignee} is not a member of this inbox`);
    assigneeId = user.id;
  } else if (assignee === null) {
    assigneeId = null;
  }
  let changed = false;
  const rows = await tx
    .select()
    .from(conversations)
    .where(inArray(conversations.id, conversationIds))
    .for("update");
  for (const conversation of rows) {
    if (
      status !== undefined &&
      (await applyStatus(tx, conversation, status, userId, "imap_keyword")) !== null
    ) {
      changed = true;
    }
    if (
      assigneeId !== undefined &&
      (await applyAssignee(tx, conversation, assigneeId, userId, "imap_keyword")) !== null
    ) {
      changed = true;
    }
  }
  return changed;
}

/** POP3 DELE in a shared inbox: the message disappears from this user's POP3 view only. */
export async function hideForUser(
  ctx: CoreContext,
  input: { userId: number; mailboxId: number; uids: number[] },
): Promise<void> {
  if (!input.uids.length) return;
  const mailbox = await mailboxForUser(ctx.db, input.userId, input.mailboxId);
  await ctx.db.transaction(async (tx) => {
    await lockInbox(tx, mailbox.inboxId);
    const ids = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.mailboxId, input.mailboxId), inArray(messages.uid, input.uids)));
    if (!ids.length) return;
    await tx
      .insert(messageUserState)
      .values(ids.map(({ id }) => ({ messageId: id, userId: input.userId, hidden: true })))
      .onConflictDoUpdate({
        target: [messageUserState.messageId, messageUserState.userId],
        set: { hidden: sql`true` },
      });
  });
}
