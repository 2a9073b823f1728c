import { type Db, reusePlans, type Tx } from "@madoguchi/db/client";
import { conversations, mailboxes } from "@madoguchi/db/schema";
import type { ParsedMessage } from "@madoguchi/mail/parse";
import { hasReplyPrefix, normalizeSubject, SUBJECT_THREAD_WINDOW_MS } from "@madoguchi/mail/threading";
import { eq, inArray } from "drizzle-orm";
import { lockInboxForDelivery } from "../conversations/lock";
import { applyRulesToNew, enabledRulesOf } from "../conversations/rules";
import { applyStatus } from "../conversations/status";
import { AppError } from "../errors";
import type { Mailbox } from "../mailboxes";
import { type Inquiry, recordAutoReplies } from "../outbound/auto-reply-record";
import { type LookupKey, type LookupResult, lookupBatch, type StoredCopy } from "./batch-lookup";
import { type BatchConversation, chooseConversation, type SubjectKey } from "./batch-thread";
import { type PlannedMessage, writeBatch } from "./batch-write";
import { customerOf } from "./message-fields";
import type { DeliverResult, PreparedDelivery } from "./types";

export type Outcome = { ok: DeliverResult } | { error: Error };

type Placement =
  | { planned: PlannedMessage }
  | { copyOf: StoredCopy }
  | { sameAs: PlannedMessage }
  | { error: Error };

/** What placing the messages of a batch one after the other needs to know. */
interface BatchState {
  inboxId: number;
  boxes: Mailbox[];
  /** Stored conversations the lookup found, locked. */
  stored: Map<number, BatchConversation>;
  /** Every conversation the batch has seen so far: stored ones and the ones it creates. */
  conversations: BatchConversation[];
  planned: PlannedMessage[];
  /** The inbox counter: as locked, then past any seq a reopen took. */
  base: number;
}

/**
 * Stores a batch of deliveries to one inbox in one transaction. The inbox counter row is locked
 * once and the work done under it is a fixed number of statements for the whole batch (one
 * lookup, one numbering, one multi-row insert per table), so concurrent deliveries share one lock
 * hold and one WAL flush. Sequence numbers still come from the counter row inside the
 * transaction, so seq order stays commit order. A message that cannot be placed (unknown folder)
 * gets its own error; the others are stored.
 */
export async function storeBatch(db: Db, inboxId: number, items: PreparedDelivery[]): Promise<Outcome[]> {
  return db.transaction(async (tx) => {
    const subjects = items.map(subjectKey);
    // Sent together, run in this order by the one connection: the plan setting holds for the
    // rest, the lookup sees the inbox as the lock found it, and the lock holder waits one round
    // trip instead of several. The lookup, the largest, goes last: postgres.js holds a write
    // under 1 KB back for a turn of the event loop, and one over 1 KB goes out at once with the
    // ones held before it.
    const [, { modseq, autoReply }, boxes, rules, found] = await Promise.all([
      reusePlans(tx),
      lockInboxForDelivery(tx, inboxId),
      foldersOf(tx, inboxId),
      enabledRulesOf(tx, inboxId),
      lookupBatch(
        tx,
        inboxId,
        items.map((item, i) => lookupKey(item, subjects[i] ?? null)),
      ),
    ]);
    const stored = await lockConversations(tx, found);
    const state: BatchState = {
      inboxId,
      boxes,
      stored,
      conversations: [...stored.values()],
      planned: [],
      base: modseq,
    };
    const placements: Placement[] = [];
    for (const [i, item] of items.entries()) {
      const lookup = found[i];
      if (!lookup) throw new Error("the batch lookup returned fewer rows than messages");
      const placement = await place(tx, state, item, lookup, subjects[i] ?? null);
      if ("planned" in placement) state.planned.push(placement.planned);
      placements.push(placement);
    }
    // A blob still being synced (an MX message: its fsync overlaps this transaction instead of
    // coming before it) must be durable before the commit makes its message visible.
    await Promise.all([
      state.planned.length ? writeBatch(tx, inboxId, state.base, state.planned) : null,
      ...items.map((item) => item.synced),
    ]);
    const inquiries = rules.length || autoReply ? inquiriesStarted(state.planned) : [];
    if (rules.length) await applyRulesToNew(tx, inboxId, rules, inquiries);
    if (autoReply) await recordAutoReplies(tx, inboxId, inquiries);
    return placements.map((p, i) => outcomeOf(p, items[i]?.blob.hash ?? ""));
  });
}

/** The conversations the batch created from a customer's mail to INBOX, each with that mail. */
function inquiriesStarted(planned: PlannedMessage[]): Inquiry[] {
  const started = new Map<number, Inquiry | null>();
  for (const m of planned) {
    const c = m.conversation;
    if (!c || c.row || started.has(c.id)) continue;
    const inquiry = m.item.direction === "inbound" && m.mailbox.specialUse === "\\Inbox" && m.parsed;
    started.set(
      c.id,
      inquiry
        ? {
            conversationId: c.id,
            messageId: m.id,
            parsed: inquiry,
            mailFrom: m.item.envelope.mailFrom,
            at: m.item.now,
          }
        : null,
    );
  }
  return [...started.values()].filter((s) => s !== null);
}

/**
 * The stored conversation one message threads into, by the same rules as a batch (a batch of
 * one, nothing placed before it), locked; null when it starts a new one. For reprocessing a
 * kept-raw message, under the inbox lock its caller holds.
 */
export async function threadAlone(
  tx: Tx,
  inboxId: number,
  item: Pick<PreparedDelivery, "parsed" | "direction" | "now"> & { parsed: ParsedMessage },
): Promise<BatchConversation | null> {
  // No duplicate check: the message being threaded is stored already.
  const alone: PreparedDelivery = {
    ...item,
    blob: { hash: "", size: 0 },
    parseError: null,
    envelope: { allowDuplicate: true },
  };
  const subject = subjectKey(alone);
  const [found] = await lookupBatch(tx, inboxId, [lookupKey(alone, subject)]);
  if (!found) throw new Error("the lookup returned no row for one message");
  const stored = await lockConversations(tx, [found]);
  return chooseConversation(item.parsed, found, subject, [], [...stored.values()], stored);
}

/**
 * The inbox's folders, read by a statement of its own after the lock (sent with it): a statement
 * that waits for a lock sees other rows as of before it waited, so folder counters read through
 * the lock's own statement can be stale.
 */
async function foldersOf(tx: Tx, inboxId: number): Promise<Mailbox[]> {
  return tx.select().from(mailboxes).where(eq(mailboxes.inboxId, inboxId));
}

/** Duplicate, or a planned message in a stored, batch-created or no conversation. */
async function place(
  tx: Tx,
  state: BatchState,
  item: PreparedDelivery,
  found: LookupResult,
  subject: SubjectKey | null,
): Promise<Placement> {
  const name = item.envelope.mailbox ?? "INBOX";
  const mailbox = state.boxes.find((b) => b.name === name);
  if (!mailbox)
    return { error: new AppError("NOT_FOUND", `Mailbox ${name} of inbox ${state.inboxId} does not exist`) };
  if (!item.envelope.allowDuplicate) {
    if (found.existing) return { copyOf: found.existing };
    const messageId = item.parsed?.messageId ?? null;
    const same = state.planned.find(
      (m) => m.item.blob.hash === item.blob.hash && (m.parsed?.messageId ?? null) === messageId,
    );
    if (same) return { sameAs: same };
  }
  const at = item.envelope.internalDate ?? item.now;
  const conversation = item.parsed
    ? (chooseConversation(item.parsed, found, subject, state.planned, state.conversations, state.stored) ??
      newConversation(item, found.reserved.conversationId, state.conversations))
    : null;
  if (conversation) {
    // A customer writing again reopens a done or waiting conversation.
    const reopen = conversation.status === "done" || conversation.status === "waiting";
    if (conversation.row && item.direction === "inbound" && reopen) {
      state.base = (await applyStatus(tx, conversation.row, "open", null, "customer_wrote")) ?? state.base;
      conversation.status = "open";
    }
    if (!conversation.lastMessageAt || at > conversation.lastMessageAt) conversation.lastMessageAt = at;
  }
  return {
    planned: {
      item,
      mailbox,
      parsed: item.parsed,
      at,
      conversation,
      seq: 0,
      uid: 0,
      id: found.reserved.messageId,
    },
  };
}

function newConversation(
  item: PreparedDelivery,
  id: number,
  list: BatchConversation[],
): BatchConversation | null {
  if (!item.parsed) return null;
  const customer = customerOf(item.parsed, item.direction);
  const created: BatchConversation = {
    id,
    row: null,
    subject: item.parsed.subject,
    normalizedSubject: normalizeSubject(item.parsed.subject),
    customerAddress: customer.address,
    customerName: customer.name,
    status: "open",
    lastMessageAt: null,
  };
  list.push(created);
  return created;
}

/** The subject fallback applies only to a reply-prefixed subject from a known customer. */
function subjectKey(item: PreparedDelivery): SubjectKey | null {
  if (!item.parsed) return null;
  const customer = customerOf(item.parsed, item.direction).address;
  const normalized = normalizeSubject(item.parsed.subject);
  if (!customer || !normalized || !hasReplyPrefix(item.parsed.subject)) return null;
  return { normalized, customer, since: new Date(item.now.getTime() - SUBJECT_THREAD_WINDOW_MS) };
}

function lookupKey(item: PreparedDelivery, subject: SubjectKey | null): LookupKey {
  const parsed = item.parsed;
  const parentIds = parsed
    ? [...new Set([parsed.inReplyTo, ...parsed.references].filter((id): id is string => !!id))]
    : [];
  return {
    blobHash: item.blob.hash,
    messageId: parsed?.messageId ?? null,
    parentIds,
    subject,
    dedup: !item.envelope.allowDuplicate,
  };
}

/** Locks the stored conversations the lookup found (inbox lock first, then these, as every writer does). */
async function lockConversations(tx: Tx, found: LookupResult[]): Promise<Map<number, BatchConversation>> {
  const ids = new Set<number>();
  for (const f of found) {
    for (const id of [
      f.parent?.conversationId,
      f.childByInReplyTo,
      f.childByReferences,
      f.subject?.conversationId,
    ])
      if (id !== undefined && id !== null) ids.add(id);
  }
  if (!ids.size) return new Map();
  const rows = await tx
    .select()
    .from(conversations)
    .where(inArray(conversations.id, [...ids]))
    .orderBy(conversations.id)
    .for("update");
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        row,
        subject: row.subject,
        normalizedSubject: row.normalizedSubject,
        customerAddress: row.customerAddress,
        customerName: row.customerName,
        status: row.status,
        lastMessageAt: row.lastMessageAt,
      },
    ]),
  );
}

function outcomeOf(p: Placement, blobHash: string): Outcome {
  if ("error" in p) return { error: p.error };
  if ("copyOf" in p) {
    const c = p.copyOf;
    return {
      ok: {
        messageId: c.id,
        conversationId: c.conversationId,
        mailboxId: c.mailboxId,
        uid: c.uid,
        seq: c.modseq,
        blobHash,
        duplicate: true,
      },
    };
  }
  const m = "planned" in p ? p.planned : p.sameAs;
  return {
    ok: {
      messageId: m.id,
      conversationId: m.conversation?.id ?? null,
      mailboxId: m.mailbox.id,
      uid: m.uid,
      seq: m.seq,
      blobHash,
      duplicate: "sameAs" in p,
    },
  };
}
