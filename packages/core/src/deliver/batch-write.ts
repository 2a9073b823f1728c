import type { Tx } from "@madoguchi/db/client";
import { insertJsonRows } from "@madoguchi/db/json-rows";
import { conversations, mailboxes, messages, messageUserState } from "@madoguchi/db/schema";
import { eq, sql } from "drizzle-orm";
import { allocateSeqs, type ChangeInput, insertChanges } from "../changelog";
import { clearsJunk, isJunkFolder } from "../conversations/junk";
import type { Mailbox } from "../mailboxes";
import type { BatchConversation, PlacedMessage } from "./batch-thread";
import { messageFields, PARSE_ERROR_KEYWORD } from "./message-fields";
import type { PreparedDelivery } from "./types";

/** A message the batch stores (with its reserved id); seq and uid are filled in by writeBatch. */
export interface PlannedMessage extends PlacedMessage {
  item: PreparedDelivery;
  mailbox: Mailbox;
  seq: number;
  uid: number;
  id: number;
}

/** What a conversation gains from the batch's messages: the batch form of touchConversation. */
interface Touch {
  count: number;
  lastAt: Date;
  lastSeq: number;
  /** A new customer message makes any reply drafted before it stale. */
  guardSeq: number | null;
  inboundAt: Date | null;
  outboundAt: Date | null;
  /** Every message in Junk: a conversation they start is 迷惑メール. */
  allJunk: boolean;
  /** A message outside Junk and Trash: the conversation is not 迷惑メール (any more). */
  clearsJunk: boolean;
}

/**
 * Numbers and writes the planned messages of a batch under the inbox lock. `base` is the inbox
 * counter as the lock found it (plus any seq the batch took meanwhile), so every number is known
 * before it is written. Statements that do not depend on each other are sent together: on
 * PostgreSQL they are pipelined, and it is round trips, not statements, that a lock holder waits on.
 */
export async function writeBatch(
  tx: Tx,
  inboxId: number,
  base: number,
  planned: PlannedMessage[],
): Promise<void> {
  const created = [
    ...new Set(planned.flatMap((m) => (m.conversation && !m.conversation.row ? [m.conversation] : []))),
  ];
  // A created conversation's "conversation_created" takes the number before its first message.
  let next = base + 1;
  const createdSeq = new Map<BatchConversation, number>();
  for (const m of planned) {
    if (m.conversation && !m.conversation.row && !createdSeq.has(m.conversation))
      createdSeq.set(m.conversation, next++);
    m.seq = next++;
  }
  const touches = touchesOf(planned);
  const uidRanges = numberUids(planned);
  const seen = planned.flatMap((m) =>
    (m.item.envelope.seenBy ?? []).map((userId) => ({ messageId: m.id, userId, seen: true, modseq: m.seq })),
  );
  // Every number is known, so all of it goes in one round trip; the counters' answers are checked
  // after, and a mismatch rolls the whole transaction back. Sent in this order: the messages'
  // insert, the largest (their text for search), after the small statements, so its write takes
  // them along instead of leaving them to postgres.js's next turn (see storeBatch); the read
  // states after it, as they refer to its rows (a sender's own sent message only).
  const [first, uidsTaken] = await Promise.all([
    allocateSeqs(tx, inboxId, created.length + planned.length),
    takeUids(tx, uidRanges),
    created.length
      ? insertJsonRows(
          tx,
          conversations,
          created.map((c) => conversationRow(inboxId, c, touches.get(c))),
        )
      : null,
    insertChanges(tx, changesOf(inboxId, planned, createdSeq)),
    touchStored(tx, touches),
    insertJsonRows(
      tx,
      messages,
      planned.map((m) => messageRow(inboxId, m)),
    ),
    seen.length ? tx.insert(messageUserState).values(seen) : null,
  ]);
  if (first !== base + 1)
    throw new Error(`inbox ${inboxId} counter moved under its lock (${first} ≠ ${base + 1})`);
  for (const [i, r] of uidRanges.entries())
    if (uidsTaken[i] !== r.first)
      throw new Error(
        `folder ${r.mailbox.id} UIDs moved under the inbox lock (${uidsTaken[i]} ≠ ${r.first})`,
      );
}

interface UidRange {
  mailbox: Mailbox;
  first: number;
  count: number;
  highestSeq: number;
}

/**
 * Numbers the messages per folder from the UID next as the inbox lock found it: every writer
 * takes UIDs only while holding its inbox's lock, so it cannot move meanwhile (takeUids checks).
 */
function numberUids(planned: PlannedMessage[]): UidRange[] {
  const ranges = new Map<number, UidRange>();
  for (const m of planned) {
    const range = ranges.get(m.mailbox.id) ?? {
      mailbox: m.mailbox,
      first: m.mailbox.uidNext,
      count: 0,
      highestSeq: 0,
    };
    m.uid = range.first + range.count++;
    range.highestSeq = Math.max(range.highestSeq, m.seq);
    ranges.set(m.mailbox.id, range);
  }
  return [...ranges.values()];
}

/** Moves each folder's UID next past its range; resolves with the first UID each range really got. */
async function takeUids(tx: Tx, ranges: UidRange[]): Promise<number[]> {
  return Promise.all(
    ranges.map(async (r) => {
      const [row] = await tx
        .update(mailboxes)
        .set({
          uidNext: sql`${mailboxes.uidNext} + ${r.count}`,
          highestModseq: sql`greatest(${mailboxes.highestModseq}, ${r.highestSeq})`,
        })
        .where(eq(mailboxes.id, r.mailbox.id))
        .returning({ uidNext: mailboxes.uidNext });
      if (!row) throw new Error(`Mailbox ${r.mailbox.id} vanished under the inbox lock`);
      return row.uidNext - r.count;
    }),
  );
}

function conversationRow(inboxId: number, c: BatchConversation, t: Touch | undefined) {
  if (!t) throw new Error("a created conversation without messages");
  return {
    id: c.id,
    inboxId,
    subject: c.subject,
    normalizedSubject: c.normalizedSubject,
    customerAddress: c.customerAddress,
    customerName: c.customerName,
    messageCount: t.count,
    lastMessageAt: t.lastAt,
    lastInboundAt: t.inboundAt,
    lastOutboundAt: t.outboundAt,
    lastSeq: t.lastSeq,
    guardSeq: t.guardSeq ?? 0,
    junk: t.allJunk,
  };
}

function messageRow(inboxId: number, m: PlannedMessage) {
  const { item } = m;
  const flags = (item.envelope.flags ?? []).filter((f) => f !== "\\Seen" && f !== "\\Recent");
  return {
    id: m.id,
    inboxId,
    mailboxId: m.mailbox.id,
    conversationId: m.conversation?.id ?? null,
    uid: m.uid,
    modseq: m.seq,
    flags,
    keywords: [...(item.envelope.keywords ?? []), ...(item.parseError ? [PARSE_ERROR_KEYWORD] : [])],
    blobHash: item.blob.hash,
    size: item.blob.size,
    internalDate: m.at,
    direction: item.direction,
    messageIdHeader: item.parsed?.messageId ?? null,
    ...(item.parsed ? messageFields(item.parsed) : { subject: "" }),
    parseError: item.parseError,
    authResults: item.envelope.authResults ?? null,
  };
}

function changesOf(
  inboxId: number,
  planned: PlannedMessage[],
  createdSeq: Map<BatchConversation, number>,
): (ChangeInput & { seq: number })[] {
  const rows: (ChangeInput & { seq: number })[] = [];
  const logged = new Set<BatchConversation>();
  for (const m of planned) {
    const actorId = m.item.envelope.actorId ?? null;
    const c = m.conversation;
    const seq = c ? createdSeq.get(c) : undefined;
    if (c && seq !== undefined && !logged.has(c)) {
      logged.add(c);
      rows.push({ seq, inboxId, kind: "conversation_created", conversationId: c.id, actorId });
    }
    const parseError = m.item.parseError;
    rows.push({
      seq: m.seq,
      inboxId,
      kind: "message_added",
      conversationId: c?.id ?? null,
      messageId: m.id,
      mailboxId: m.mailbox.id,
      actorId,
      data: {
        uid: m.uid,
        direction: m.item.direction,
        mailbox: m.mailbox.name,
        ...(parseError ? { parseError } : {}),
      },
    });
  }
  return rows;
}

function touchesOf(planned: PlannedMessage[]): Map<BatchConversation, Touch> {
  const touches = new Map<BatchConversation, Touch>();
  const later = (a: Date | null, b: Date) => (a && a > b ? a : b);
  for (const m of planned) {
    if (!m.conversation) continue;
    const t = touches.get(m.conversation) ?? {
      count: 0,
      lastAt: m.at,
      lastSeq: 0,
      guardSeq: null,
      inboundAt: null,
      outboundAt: null,
      allJunk: true,
      clearsJunk: false,
    };
    t.count++;
    t.allJunk &&= isJunkFolder(m.mailbox);
    t.clearsJunk ||= clearsJunk(m.mailbox);
    t.lastAt = later(t.lastAt, m.at);
    t.lastSeq = m.seq;
    if (m.item.direction === "inbound") {
      t.guardSeq = m.seq;
      t.inboundAt = later(t.inboundAt, m.at);
    } else t.outboundAt = later(t.outboundAt, m.at);
    touches.set(m.conversation, t);
  }
  return touches;
}

/** One update for every stored conversation the batch added messages to. */
async function touchStored(tx: Tx, touches: Map<BatchConversation, Touch>): Promise<void> {
  const values = [...touches].flatMap(([c, t]) =>
    c.row
      ? [
          {
            id: c.id,
            n: t.count,
            last_at: t.lastAt.toISOString(),
            last_seq: t.lastSeq,
            guard_seq: t.guardSeq,
            in_at: t.inboundAt?.toISOString() ?? null,
            out_at: t.outboundAt?.toISOString() ?? null,
            clears_junk: t.clearsJunk,
          },
        ]
      : [],
  );
  if (!values.length) return;
  // greatest() ignores nulls, so a timestamp the batch did not move stays as it is.
  await tx.execute(sql`
    update conversations c set
      message_count = c.message_count + v.n,
      last_message_at = greatest(c.last_message_at, v.last_at),
      last_seq = v.last_seq,
      guard_seq = coalesce(v.guard_seq, c.guard_seq),
      last_inbound_at = greatest(c.last_inbound_at, v.in_at),
      last_outbound_at = greatest(c.last_outbound_at, v.out_at),
      junk = c.junk and not v.clears_junk
    from jsonb_to_recordset(${JSON.stringify(values)}::jsonb)
      as v(id bigint, n int, last_at timestamptz, last_seq bigint, guard_seq bigint, in_at timestamptz, out_at timestamptz, clears_junk boolean)
    where c.id = v.id`);
}
