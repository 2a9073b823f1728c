import { changes, conversations, messages } from "@madoguchi/db/schema";
import { asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { changesSince } from "../src/changelog";
import { setStatus } from "../src/conversations/status";
import { deliver } from "../src/deliver/deliver";
import { mail, useTeamEnv } from "./fixtures";
import { drivers, type TestEnv } from "./harness";

async function conversationOf(env: TestEnv, messageId: number) {
  const [row] = await env.ctx.db.select().from(messages).where(eq(messages.id, messageId));
  const [conv] = await env.ctx.db
    .select()
    .from(conversations)
    .where(eq(conversations.id, row?.conversationId ?? -1));
  return { message: row, conversation: conv };
}

describe.each(drivers)("deliver on %s", (driver) => {
  const t = useTeamEnv(driver);

  it("stores blob, message, conversation and change-log entries in one go", async () => {
    const raw = mail({ subject: "請求書の再発行について", messageId: "first@customer.example" });
    const before = (await changesSince(t.env.ctx.db, t.team.info.id, 0)).length;
    const result = await deliver(t.env.ctx, t.team.info.id, raw, { mailFrom: "taro@customer.example" });
    expect(result.duplicate).toBe(false);
    expect(result.uid).toBe(1);
    expect(await t.env.ctx.blobs.get(result.blobHash)).toEqual(raw);
    const { message, conversation } = await conversationOf(t.env, result.messageId);
    expect(message).toMatchObject({
      subject: "請求書の再発行について",
      fromAddress: "taro@customer.example",
      uid: 1,
    });
    expect(message?.snippet).toContain("請求書の件");
    expect(conversation).toMatchObject({
      status: "open",
      customerAddress: "taro@customer.example",
      messageCount: 1,
    });
    const log = await changesSince(t.env.ctx.db, t.team.info.id, 0);
    expect(log.slice(before).map((c) => c.kind)).toEqual(["conversation_created", "message_added"]);
    expect(log.at(-1)?.seq).toBe(result.seq);
    expect(conversation?.guardSeq).toBe(result.seq);
  });

  it("stores the same message delivered twice only once", async () => {
    const raw = mail({ messageId: "twice@customer.example" });
    const a = await deliver(t.env.ctx, t.team.info.id, raw);
    const b = await deliver(t.env.ctx, t.team.info.id, raw);
    expect(b).toMatchObject({ duplicate: true, messageId: a.messageId, uid: a.uid });
    // Same Message-ID with different bytes is a different message (e.g. a resend with edits).
    const c = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ messageId: "twice@customer.example", body: "別の本文" }),
    );
    expect(c.duplicate).toBe(false);
  });

  it("threads by In-Reply-To and References, also when the reply arrives first", async () => {
    const root = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ messageId: "root@customer.example", subject: "見積もり依頼" }),
    );
    const reply = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({
        messageId: "r1@customer.example",
        subject: "Re: 見積もり依頼",
        inReplyTo: "root@customer.example",
      }),
    );
    const deep = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({
        messageId: "r2@customer.example",
        subject: "件名変更",
        references: "<root@customer.example> <r1@customer.example>",
      }),
    );
    expect(reply.conversationId).toBe(root.conversationId);
    expect(deep.conversationId).toBe(root.conversationId);

    const child = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({
        messageId: "late-child@customer.example",
        subject: "Re: 納期",
        inReplyTo: "late-parent@customer.example",
      }),
    );
    const parent = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ messageId: "late-parent@customer.example", subject: "納期" }),
    );
    expect(parent.conversationId).toBe(child.conversationId);
    const { conversation } = await conversationOf(t.env, root.messageId);
    expect(conversation?.messageCount).toBe(3);
  });

  it("falls back to the subject only for the same customer, within the window", async () => {
    const first = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "お問い合わせ", from: "a@one.example" }),
    );
    const sameCustomer = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "Re: お問い合わせ", from: "a@one.example" }),
    );
    const otherCustomer = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "Re: お問い合わせ", from: "b@two.example" }),
    );
    const noPrefix = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "お問い合わせ", from: "a@one.example" }),
    );
    expect(sameCustomer.conversationId).toBe(first.conversationId);
    expect(otherCustomer.conversationId).not.toBe(first.conversationId);
    expect(noPrefix.conversationId).not.toBe(first.conversationId);

    const later = { ...t.env.ctx, now: () => new Date(Date.now() + 30 * 24 * 3600 * 1000) };
    const old = await deliver(
      later,
      t.team.info.id,
      mail({ subject: "Re: お問い合わせ", from: "a@one.example" }),
    );
    expect(old.conversationId).not.toBe(first.conversationId);
  });

  it("reopens a done conversation when the customer writes again", async () => {
    const root = await deliver(t.env.ctx, t.team.info.id, mail({ messageId: "reopen@customer.example" }));
    await setStatus(t.env.ctx, {
      conversationId: root.conversationId ?? -1,
      userId: t.team.alice.id,
      status: "done",
    });
    await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ inReplyTo: "reopen@customer.example", subject: "Re: お問い合わせ" }),
    );
    const { conversation } = await conversationOf(t.env, root.messageId);
    expect(conversation?.status).toBe("open");
    const log = await t.env.ctx.db
      .select()
      .from(changes)
      .where(eq(changes.conversationId, root.conversationId ?? -1))
      .orderBy(asc(changes.seq));
    expect(log.filter((c) => c.kind === "status_changed").map((c) => c.data)).toEqual([
      { from: "open", to: "done" },
      { from: "done", to: "open", reason: "customer_wrote" },
    ]);
  });

  it("numbers concurrent deliveries gaplessly in commit order, with unique UIDs", async () => {
    const start = (await changesSince(t.env.ctx.db, t.team.info.id, 0, 100_000)).at(-1)?.seq ?? 0;
    // A reader that keeps polling with a cursor must see every change exactly once.
    const seen: number[] = [];
    let cursor = start;
    let done = false;
    const reader = (async () => {
      while (!done) {
        const batch = await changesSince(t.env.ctx.db, t.team.info.id, cursor);
        for (const c of batch) seen.push(c.seq);
        cursor = batch.at(-1)?.seq ?? cursor;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const results = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        deliver(t.env.ctx, t.team.info.id, mail({ subject: `並行 ${i}`, from: `c${i}@x.example` })),
      ),
    );
    done = true;
    await reader;
    for (const c of await changesSince(t.env.ctx.db, t.team.info.id, cursor)) seen.push(c.seq);
    const all = (await changesSince(t.env.ctx.db, t.team.info.id, start, 100_000)).map((c) => c.seq);
    expect(seen).toEqual(all);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => start + 1 + i));
    const uids = results.map((r) => r.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it("puts outbound mail in Sent with the customer taken from To", async () => {
    const sent = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ from: "info@example.co.jp", to: "Hanako <hanako@customer.example>", subject: "ご案内" }),
      { mailbox: "Sent", direction: "outbound", actorId: t.team.alice.id },
    );
    const { message, conversation } = await conversationOf(t.env, sent.messageId);
    expect(message?.direction).toBe("outbound");
    expect(conversation?.customerAddress).toBe("hanako@customer.example");
    expect(conversation?.lastOutboundAt).not.toBeNull();
  });
});
