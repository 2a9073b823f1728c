import { openDb } from "@madoguchi/db/client";
import { conversations, messages } from "@madoguchi/db/schema";
import { sha256Hex } from "@madoguchi/mail/blob-store";
import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { changesSince } from "../src/changelog";
import { lockInbox } from "../src/conversations/lock";
import { setStatus } from "../src/conversations/status";
import { deliver, prepareDelivery } from "../src/deliver/deliver";
import { commitDelivery, expectDelivery } from "../src/deliver/group-commit";
import { type Outcome, storeBatch } from "../src/deliver/store-batch";
import type { DeliverResult, Envelope } from "../src/deliver/types";
import { mail, useTeamEnv } from "./fixtures";
import { drivers, type TestEnv } from "./harness";

const batchOf = (env: TestEnv, raws: (Buffer | [Buffer, Envelope])[]) =>
  Promise.all(
    raws.map((r) => (Array.isArray(r) ? prepareDelivery(env.ctx, ...r) : prepareDelivery(env.ctx, r))),
  );

function stored(outcomes: Outcome[]): DeliverResult[] {
  return outcomes.map((o) => {
    if ("error" in o) throw o.error;
    return o.ok;
  });
}

async function conversationRow(env: TestEnv, id: number | null | undefined) {
  const [row] = await env.ctx.db
    .select()
    .from(conversations)
    .where(eq(conversations.id, id ?? -1));
  return row;
}

// One batch = what group commit hands to one transaction: the messages in it cannot see each
// other in the database, so the batch itself must thread and deduplicate them.
describe.each(drivers)("one batch of deliveries on %s", (driver) => {
  const t = useTeamEnv(driver);
  const inbox = () => t.team.info.id;

  it("threads a reply with its parent in the same batch, in either order", async () => {
    for (const replyFirst of [false, true]) {
      const tag = replyFirst ? "rf" : "pf";
      const parent = mail({ messageId: `${tag}-p@customer.example`, subject: `見積 ${tag}` });
      const reply = mail({
        messageId: `${tag}-r@customer.example`,
        subject: "件名変更",
        references: `<${tag}-p@customer.example>`,
      });
      const other = mail({ messageId: `${tag}-o@customer.example`, subject: `別件 ${tag}` });
      const order = replyFirst ? [reply, other, parent] : [parent, other, reply];
      const [a, b, c] = stored(await storeBatch(t.env.ctx.db, inbox(), await batchOf(t.env, order)));
      expect(a?.conversationId).toBe(c?.conversationId);
      expect(b?.conversationId).not.toBe(a?.conversationId);
      expect(await conversationRow(t.env, a?.conversationId)).toMatchObject({
        messageCount: 2,
        lastSeq: c?.seq,
      });
    }
  });

  it("falls back to the subject for a conversation created earlier in the same batch", async () => {
    const first = mail({ subject: "納品日の件", from: "hanako@customer.example" });
    const again = mail({ subject: "Re: 納品日の件", from: "hanako@customer.example" });
    const stranger = mail({ subject: "Re: 納品日の件", from: "jiro@other.example" });
    const [a, b, c] = stored(
      await storeBatch(t.env.ctx.db, inbox(), await batchOf(t.env, [first, again, stranger])),
    );
    expect(b?.conversationId).toBe(a?.conversationId);
    expect(c?.conversationId).not.toBe(a?.conversationId);
  });

  it("stores a message twice in one batch, or already stored, only once", async () => {
    const raw = mail({ messageId: "twice-in-batch@customer.example" });
    const [a, b] = stored(await storeBatch(t.env.ctx.db, inbox(), await batchOf(t.env, [raw, raw])));
    expect(a?.duplicate).toBe(false);
    expect(b).toMatchObject({ duplicate: true, messageId: a?.messageId, uid: a?.uid });
    const [c] = stored(await storeBatch(t.env.ctx.db, inbox(), await batchOf(t.env, [raw])));
    expect(c).toMatchObject({ duplicate: true, messageId: a?.messageId });
    // An IMAP APPEND of the same bytes is stored as asked.
    const [d] = stored(
      await storeBatch(t.env.ctx.db, inbox(), await batchOf(t.env, [[raw, { allowDuplicate: true }]])),
    );
    expect(d?.duplicate).toBe(false);
  });

  it("numbers a batch like single deliveries: created before added, gapless, one UID each", async () => {
    const before = (await changesSince(t.env.ctx.db, inbox(), 0, 100_000)).at(-1)?.seq ?? 0;
    const raws = [mail({ subject: "番号 1" }), mail({ subject: "番号 2" }), mail({ subject: "番号 3" })];
    const results = stored(await storeBatch(t.env.ctx.db, inbox(), await batchOf(t.env, raws)));
    const log = await changesSince(t.env.ctx.db, inbox(), before, 100_000);
    expect(log.map((c) => c.kind)).toEqual([
      "conversation_created",
      "message_added",
      "conversation_created",
      "message_added",
      "conversation_created",
      "message_added",
    ]);
    expect(log.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5, 6].map((n) => before + n));
    expect(log.filter((c) => c.kind === "message_added").map((c) => c.messageId)).toEqual(
      results.map((r) => r.messageId),
    );
    const uids = results.map((r) => r.uid);
    expect(uids).toEqual([uids[0], (uids[0] ?? 0) + 1, (uids[0] ?? 0) + 2]);
  });

  it("reopens a done conversation once and counts every message of the batch on it", async () => {
    const first = stored(
      await storeBatch(
        t.env.ctx.db,
        inbox(),
        await batchOf(t.env, [mail({ messageId: "again@customer.example" })]),
      ),
    )[0];
    await setStatus(t.env.ctx, {
      conversationId: first?.conversationId ?? -1,
      userId: t.team.alice.id,
      status: "done",
    });
    const follow = (i: number) =>
      mail({ messageId: `again-${i}@customer.example`, inReplyTo: "again@customer.example" });
    const results = stored(
      await storeBatch(t.env.ctx.db, inbox(), await batchOf(t.env, [follow(1), follow(2), follow(3)])),
    );
    expect(new Set(results.map((r) => r.conversationId))).toEqual(new Set([first?.conversationId]));
    const conv = await conversationRow(t.env, first?.conversationId);
    expect(conv).toMatchObject({ status: "open", messageCount: 4, guardSeq: results[2]?.seq });
    const statusLog = (await changesSince(t.env.ctx.db, inbox(), first?.seq ?? 0, 100_000)).filter(
      (c) => c.kind === "status_changed",
    );
    expect(statusLog.map((c) => c.data)).toEqual([
      { from: "open", to: "done" },
      { from: "done", to: "open", reason: "customer_wrote" },
    ]);
  });

  it("gives a message for a folder that does not exist its own error and stores the others", async () => {
    const outcomes = await storeBatch(
      t.env.ctx.db,
      inbox(),
      await batchOf(t.env, [
        mail({ subject: "残る 1" }),
        [mail({ subject: "消える" }), { mailbox: "Nope" }],
        mail({ subject: "残る 2" }),
      ]),
    );
    expect(outcomes.map((o) => ("ok" in o ? "ok" : o.error.message))).toEqual([
      "ok",
      `Mailbox Nope of inbox ${inbox()} does not exist`,
      "ok",
    ]);
  });
});

// Group commit: deliveries that arrive while the inbox's transaction runs go into the next one.
describe.each(drivers)("group commit on %s", (driver) => {
  const t = useTeamEnv(driver);
  const inbox = () => t.team.info.id;

  /** Delivers while another writer holds the inbox, releasing it once every delivery waits. */
  async function deliverBehindBusyInbox(raws: [Buffer, Envelope][]) {
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let taken = () => {};
    const lockTaken = new Promise<void>((r) => {
      taken = r;
    });
    // On PGlite holding the transaction also holds the one connection: same effect.
    const holder = t.env.ctx.db.transaction(async (tx) => {
      await lockInbox(tx, inbox());
      taken();
      await held;
    });
    await lockTaken;
    const pending = raws.map(([raw, envelope]) => deliver(t.env.ctx, inbox(), raw, envelope));
    // Every blob on disk, then time to finish parsing: all are queued before the lock is released.
    for (
      let i = 0;
      i < 500 &&
      !(await allOnDisk(
        t.env,
        raws.map(([raw]) => raw),
      ));
      i++
    )
      await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 500));
    release();
    await holder;
    return Promise.allSettled(pending);
  }

  const storedRows = (ids: string[]) =>
    t.env.ctx.db
      .select({ messageIdHeader: messages.messageIdHeader, createdAt: messages.createdAt })
      .from(messages)
      .where(inArray(messages.messageIdHeader, ids));

  it("stores the deliveries that queued behind a busy inbox in one transaction", async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `queued-${i}@customer.example`);
    const settled = await deliverBehindBusyInbox(ids.map((id) => [mail({ messageId: id }), {}]));
    expect(settled.every((s) => s.status === "fulfilled")).toBe(true);
    const rows = await storedRows(ids);
    expect(rows).toHaveLength(6);
    // now() is the transaction's start time: the first delivery may have gone alone, the rest
    // queued behind it and shared the next transaction.
    expect(new Set(rows.map((r) => r.createdAt.getTime())).size).toBeLessThanOrEqual(2);
  });

  it("holds a transaction for a delivery announced to the inbox, and stores both in it", async () => {
    const ids = ["announced-0@customer.example", "announced-1@customer.example"];
    const [first, second] = await batchOf(
      t.env,
      ids.map((id) => mail({ messageId: id })),
    );
    if (!first || !second) throw new Error("two deliveries prepared");
    const db = t.env.ctx.db;
    const [arrivedFirst, arrivedSecond] = [expectDelivery(db, inbox()), expectDelivery(db, inbox())];
    // Without the announcement the first would start its transaction at once, alone.
    const stored = [commitDelivery(db, inbox(), first, arrivedFirst)];
    stored.push(commitDelivery(db, inbox(), second, arrivedSecond));
    await Promise.all(stored);
    const rows = await storedRows(ids);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.createdAt.getTime())).size).toBe(1);
  });

  it("does not wait long for an announced delivery that never comes", async () => {
    const [raw] = await batchOf(t.env, [mail({ messageId: "announced-alone@customer.example" })]);
    if (!raw) throw new Error("one delivery prepared");
    const db = t.env.ctx.db;
    const givenUp = expectDelivery(db, inbox());
    try {
      const result = await commitDelivery(db, inbox(), raw, expectDelivery(db, inbox()));
      expect(result.duplicate).toBe(false);
    } finally {
      givenUp();
    }
  });

  it("commits a message whose blob is still being synced only once it is, and not if that fails", async () => {
    // The MX sends the transaction while the blob's fsyncs run (content.synced): the commit, and
    // so the 250, must still come after them.
    const ids = ["syncing-0@customer.example", "syncing-1@customer.example", "syncing-2@customer.example"];
    const [slow, plain, failing] = await batchOf(
      t.env,
      ids.map((id) => mail({ messageId: id })),
    );
    if (!slow || !plain || !failing) throw new Error("three deliveries prepared");
    const db = t.env.ctx.db;
    let syncDone = () => {};
    let syncFailed: (err: Error) => void = () => {};
    const first = commitDelivery(db, inbox(), {
      ...slow,
      synced: new Promise<void>((resolve) => {
        syncDone = resolve;
      }),
    });
    let settled = false;
    first.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    // PGlite's one connection is the transaction's: only PostgreSQL can be asked meanwhile.
    if (driver === "postgres") expect(await storedRows(ids)).toHaveLength(0);
    // These two queue behind it and share the next transaction; one of their blobs fails to sync.
    const second = commitDelivery(db, inbox(), plain);
    const failingSync = new Promise<void>((_, reject) => {
      syncFailed = reject;
    });
    failingSync.catch(() => {});
    const third = commitDelivery(db, inbox(), { ...failing, synced: failingSync });
    syncFailed(new Error("EIO: i/o error, fsync"));
    syncDone();
    expect((await first).duplicate).toBe(false);
    expect((await second).duplicate).toBe(false);
    await expect(third).rejects.toThrow(/EIO/);
    const rows = await storedRows(ids);
    expect(rows.map((r) => r.messageIdHeader).sort()).toEqual(ids.slice(0, 2));
  });

  it("fails only the bad message of a batch, storing the others", async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `isolated-${i}@customer.example`);
    const settled = await deliverBehindBusyInbox(
      // An unknown user in seenBy breaks the whole transaction (foreign key).
      ids.map((id, i) => [mail({ messageId: id }), i === 3 ? { seenBy: [987_654] } : {}]),
    );
    expect(settled.map((s) => s.status)).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
    ]);
    const rows = await storedRows(ids);
    expect(rows.map((r) => r.messageIdHeader).sort()).toEqual(ids.filter((_, i) => i !== 3));
  });
});

async function allOnDisk(env: TestEnv, raws: Buffer[]): Promise<boolean> {
  const found = await Promise.all(raws.map((raw) => env.ctx.blobs.has(sha256Hex(raw))));
  return found.every(Boolean);
}

// Two connection pools stand for two server processes, each with its own batches.
describe.each(drivers.filter((d) => d === "postgres"))("deliver from two processes on %s", (driver) => {
  const t = useTeamEnv(driver);
  const inbox = () => t.team.info.id;

  it("keeps the change log gapless and threads across two processes' batches", async () => {
    // A second connection pool stands for a second server process with its own batches.
    const other = await openDb({ url: t.env.url });
    try {
      const otherCtx = { ...t.env.ctx, db: other.db };
      const start = (await changesSince(t.env.ctx.db, inbox(), 0, 100_000)).at(-1)?.seq ?? 0;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => [
          deliver(t.env.ctx, inbox(), mail({ messageId: `mp-${i}@customer.example`, subject: `mp ${i}` })),
          deliver(
            otherCtx,
            inbox(),
            mail({ messageId: `mp-${i}-r@customer.example`, inReplyTo: `mp-${i}@customer.example` }),
          ),
        ]).flat(),
      );
      for (let i = 0; i < 20; i++)
        expect(results[2 * i + 1]?.conversationId).toBe(results[2 * i]?.conversationId);
      const seqs = (await changesSince(t.env.ctx.db, inbox(), start, 100_000)).map((c) => c.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => start + 1 + i));
      const uids = results.map((r) => r.uid);
      expect(new Set(uids).size).toBe(uids.length);
    } finally {
      await other.close();
    }
  });
});

// Planning the delivery statements at every run was a fifth of PostgreSQL's CPU per message;
// the connection plans everything else for its values (force_custom_plan, for search).
describe.each(drivers.filter((d) => d === "postgres"))("statement plans on %s", (driver) => {
  const t = useTeamEnv(driver);

  it("reuses the delivery transaction's plans and plans other statements for their values", async () => {
    // One connection, so its prepared statements are the ones every delivery ran.
    const one = await openDb({ url: t.env.url, maxConnections: 1 });
    try {
      const ctx = { ...t.env.ctx, db: one.db };
      for (let i = 0; i < 8; i++)
        await deliver(
          ctx,
          t.team.info.id,
          mail({ messageId: `plan-${i}@customer.example`, subject: `plan ${i}` }),
        );
      for (let i = 0; i < 8; i++)
        await one.db
          .select({ id: messages.id })
          .from(messages)
          .where(eq(messages.uid, i + 1));
      const plans = await one.db.execute(sql`
        select statement, generic_plans::int as generic, custom_plans::int as custom
          from pg_prepared_statements`);
      const rows = (Array.isArray(plans) ? plans : []) as {
        statement: string;
        generic: number;
        custom: number;
      }[];
      const insert = rows.find((r) => r.statement.startsWith('insert into "messages"'));
      expect(insert?.generic).toBeGreaterThan(0);
      const outside = rows.find((r) => r.statement.includes('where "messages"."uid" = $1'));
      expect(outside).toMatchObject({ generic: 0, custom: 8 });
    } finally {
      await one.close();
    }
  });
});
