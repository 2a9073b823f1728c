import { claimDeliveries, deliver, withdrawOvertakenSends } from "@madoguchi/core";
import { changes, conversations, messages, outboundMessages, outboundQueue } from "@madoguchi/db/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { mail } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { agent, customerConversation, expectTrpcError, startTestServer, useTeamServer } from "./support";

const customer = [{ address: "taro@customer.example", name: "山田 太郎" }];
const WINDOW_MS = 10_000; // the default undo window: the team's inbox sets none

describe.each(drivers)("server-side undo window (%s)", (driver) => {
  const t = useTeamServer(driver);

  const newConversation = (subject: string) => customerConversation(t, driver, subject);
  const rowsOf = (outboundId: number) =>
    t.state.env.ctx.db.select().from(outboundQueue).where(eq(outboundQueue.outboundMessageId, outboundId));
  const claimedFor = async (outboundId: number) =>
    (await claimDeliveries(t.state.env.ctx, { limit: 50, leaseMs: 60_000 })).filter(
      (c) => c.outboundMessageId === outboundId,
    );

  /** IMAP flags of the conversation's customer messages. */
  const customerFlags = async (conversationId: number) =>
    (
      await t.state.env.ctx.db
        .select({ flags: messages.flags })
        .from(messages)
        .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, "inbound")))
    ).map((m) => m.flags);

  it("holds the send; the author cancels inside the window and gets the draft back; a teammate may then reply", async () => {
    const c = await newConversation("見積もりの件");
    const view = await t.alice.trpc.conversation.get.query({ conversationId: c });
    const bobView = await t.bob.trpc.conversation.get.query({ conversationId: c });
    const draft = {
      subject: "Re: 見積もりの件",
      to: ["taro@customer.example"],
      cc: [],
      bcc: ["boss@example.net"],
      bodyText: "お見積もりを**添付**します。",
      bodyHtml: "<p>お見積もりを<strong>添付</strong>します。</p>",
      format: "markdown" as const,
    };
    await t.alice.trpc.draft.save.mutate({
      conversationId: c,
      basedOnSeq: view.conversation.lastSeq,
      content: draft,
    });
    const sent = await t.alice.trpc.reply.send.mutate({
      conversationId: c,
      basedOnSeq: view.conversation.lastSeq,
      to: customer,
      bcc: [{ address: "boss@example.net" }],
      subject: draft.subject,
      bodyText: draft.bodyText,
      bodyHtml: draft.bodyHtml,
    });
    expect(sent.heldUntil).not.toBeNull();
    // Queued, but not claimable before the window ends.
    const rows = await rowsOf(sent.outboundId);
    expect(rows.map((r) => [r.state, r.nextAttemptAt.toISOString()]).sort()).toEqual(
      rows.map(() => ["queued", sent.heldUntil]).sort(),
    );
    expect(await claimedFor(sent.outboundId)).toEqual([]);

    // During the window the reply counts: Bob's send from the older view is refused.
    const refused = await expectTrpcError(
      () =>
        t.bob.trpc.reply.send.mutate({
          conversationId: c,
          basedOnSeq: bobView.conversation.lastSeq,
          to: customer,
          subject: "Re: 見積もりの件",
          bodyText: "担当の鈴木です。",
        }),
      "CONFLICT",
    );
    expect(refused.details.conflict).toMatchObject({ kind: "reply_sent", byUserId: t.state.team.alice.id });
    // Mail clients see the customer's message answered during the window…
    expect(await customerFlags(c)).toEqual([["\\Answered"]]);

    const during = await t.alice.trpc.draft.get.query({ conversationId: c });
    expect(during.editing).toBeNull();
    expect(during.held).toEqual([{ outboundId: sent.outboundId, releaseAt: sent.heldUntil }]);
    expect((await t.alice.trpc.conversation.get.query({ conversationId: c })).conversation.status).toBe(
      "done",
    );

    await expect(t.bob.trpc.reply.cancel.mutate({ outboundId: sent.outboundId })).rejects.toThrow(
      /No send of yours/,
    );
    const cancelled = await t.alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId });
    expect(cancelled).toMatchObject({ cancelled: true, conversationId: c });

    const db = t.state.env.ctx.db;
    expect(await db.select().from(outboundMessages).where(eq(outboundMessages.id, sent.outboundId))).toEqual(
      [],
    );
    expect(await rowsOf(sent.outboundId)).toEqual([]);
    const after = await t.alice.trpc.conversation.get.query({ conversationId: c });
    expect(after.messages.map((m) => m.direction)).toEqual(["inbound"]);
    expect(after.conversation.status).toBe("open");
    const [counted] = await db
      .select({ n: conversations.messageCount })
      .from(conversations)
      .where(eq(conversations.id, c));
    expect(counted?.n).toBe(1);
    // …and no longer once the reply is taken back.
    expect(await customerFlags(c)).toEqual([[]]);
    expect(after.activity.map((a) => a.kind)).toContain("reply_cancelled");
    const back = await t.alice.trpc.draft.get.query({ conversationId: c });
    expect(back.held).toEqual([]);
    expect(back.editing?.content).toEqual({ ...draft, cc: [] });
    await expectTrpcError(
      () => t.alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId }),
      "NOT_FOUND",
    );

    // The cancelled reply no longer guards: Bob's send from his old view goes through.
    const bobSent = await t.bob.trpc.reply.send.mutate({
      conversationId: c,
      basedOnSeq: bobView.conversation.lastSeq,
      to: customer,
      subject: "Re: 見積もりの件",
      bodyText: "担当の鈴木です。",
    });
    expect(bobSent.sent).toBe(true);
    expect(await customerFlags(c)).toEqual([["\\Answered"]]);
    const log = await db
      .select({ kind: changes.kind, data: changes.data })
      .from(changes)
      .where(and(eq(changes.conversationId, c), eq(changes.kind, "reply_sent")));
    expect(log.map((l) => l.data.override ?? false)).toEqual([false, false]);
  });

  it("after the window it goes out exactly once and can no longer be cancelled, also after a restart", async () => {
    const c = await newConversation("納期の確認");
    const view = await t.alice.trpc.conversation.get.query({ conversationId: c });
    const sent = await t.alice.trpc.reply.send.mutate({
      conversationId: c,
      basedOnSeq: view.conversation.lastSeq,
      to: customer,
      subject: "Re: 納期の確認",
      bodyText: "来週火曜日に発送いたします。",
    });
    // A restart: this API process goes away; the hold lives in the rows, not in a timer.
    await t.server.close();
    t.server = await startTestServer(t.state.env);
    t.alice = await agent(t.server, "alice");
    expect(await claimedFor(sent.outboundId)).toEqual([]);
    expect((await t.alice.trpc.draft.get.query({ conversationId: c })).held).toHaveLength(1);

    t.skewMs += WINDOW_MS + 1000;
    const claimed = await claimedFor(sent.outboundId);
    expect(claimed.map((r) => r.recipients)).toEqual([["taro@customer.example"]]);
    expect(await claimedFor(sent.outboundId)).toEqual([]);
    await expectTrpcError(
      () => t.alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId }),
      "CONFLICT",
    );
    await expect(t.alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId })).rejects.toThrow(
      /Too late to undo/,
    );
    // Past the window the held copy of the draft is gone, and nothing is offered for undo.
    const drafts = await t.alice.trpc.draft.get.query({ conversationId: c });
    expect(drafts).toMatchObject({ editing: null, held: [] });
    const after = await t.alice.trpc.conversation.get.query({ conversationId: c });
    expect(after.messages.map((m) => m.direction)).toEqual(["inbound", "outbound"]);
  });

  it("送信予約: holds a reply until the time chosen, and refuses a time past", async () => {
    const c = await newConversation("予約の件");
    const view = await t.alice.trpc.conversation.get.query({ conversationId: c });
    const reply = (sendAt: string) =>
      t.alice.trpc.reply.send.mutate({
        conversationId: c,
        basedOnSeq: view.conversation.lastSeq,
        to: customer,
        subject: "Re: 予約の件",
        bodyText: "明朝お送りします。",
        sendAt,
      });
    const past = await expectTrpcError(
      () => reply(new Date(Date.now() + t.skewMs - 60_000).toISOString()),
      "BAD_REQUEST",
    );
    expect(past.messageKey).toBe("error.sendAt");
    expect(
      await t.state.env.ctx.db.select().from(outboundMessages).where(eq(outboundMessages.conversationId, c)),
    ).toEqual([]);

    const at = new Date(Date.now() + t.skewMs + 2 * 60 * 60 * 1000);
    const sent = await reply(at.toISOString());
    // Held until exactly the time chosen, however long storing the send took.
    expect(sent.heldUntil).toBe(at.toISOString());
    // Teammates see it coming, with its copy in Sent.
    // (The test before restarted the server: bob signs in to the new one.)
    const bobView = await (await agent(t.server, "bob")).trpc.conversation.get.query({ conversationId: c });
    const sentCopy = bobView.messages.find((m) => m.direction === "outbound");
    expect(bobView.scheduled).toMatchObject([
      {
        outboundId: sent.outboundId,
        author: { name: "佐藤 愛" },
        releaseAt: sent.heldUntil,
        messageIds: [sentCopy?.id],
      },
    ]);
    // The list shows it too, to everyone on the team.
    const listed = async () =>
      (await t.alice.trpc.conversation.list.query({ inboxId: t.state.team.info.id })).rows.find(
        (r) => r.id === c,
      )?.scheduledAt;
    expect(await listed()).toBe(sent.heldUntil);
    // 送信予約あり: of the inbox's conversations, only this one.
    const scheduledOnly = async () =>
      (
        await t.alice.trpc.conversation.list.query({ inboxId: t.state.team.info.id, scheduled: true })
      ).rows.map((r) => r.id);
    expect(
      (await t.alice.trpc.conversation.list.query({ inboxId: t.state.team.info.id })).rows.length,
    ).toBeGreaterThan(1);
    expect(await scheduledOnly()).toEqual([c]);
    // Past the undo window it still waits; at the time chosen it goes.
    t.skewMs += WINDOW_MS + 1000;
    expect(await claimedFor(sent.outboundId)).toEqual([]);
    t.skewMs += 2 * 60 * 60 * 1000;
    expect((await claimedFor(sent.outboundId)).map((r) => r.recipients)).toEqual([["taro@customer.example"]]);
    expect(await listed()).toBeNull();
    expect(await scheduledOnly()).toEqual([]);
  });
  it("送信予約 overtaken by the customer: never sent, taken back into the author's draft, saying why", async () => {
    const subject = "納期の件";
    const c = await newConversation(subject);
    const schedule = async (conversationId: number, bodyText: string, sendAt?: Date) => {
      const view = await t.alice.trpc.conversation.get.query({ conversationId });
      return t.alice.trpc.reply.send.mutate({
        conversationId,
        basedOnSeq: view.conversation.lastSeq,
        to: customer,
        subject: `Re: ${subject}`,
        bodyText,
        ...(sendAt ? { sendAt: sendAt.toISOString() } : {}),
      });
    };
    const inTwoHours = () => new Date(Date.now() + t.skewMs + 2 * 60 * 60 * 1000);
    const sent = await schedule(c, "明朝、納期をご連絡します。", inTwoHours());
    // (A test before restarted the server: bob signs in to the new one.)
    const bob = await agent(t.server, "bob");
    // Another conversation's 送信予約, where only a teammate comments meanwhile: it still goes.
    const other = await newConversation("請求の件");
    const untouched = await schedule(other, "明朝お送りします。", inTwoHours());
    await bob.trpc.comment.add.mutate({ conversationId: other, body: "了解です" });
    // The customer writes again before the time.
    await deliver(
      t.state.env.ctx,
      t.state.team.info.id,
      mail({
        subject: `Re: ${subject}`,
        messageId: `${subject}-again-${driver}@customer.example`,
        inReplyTo: `${subject}-${driver}@customer.example`,
        body: "急ぎのため、本日中に納期を教えてください。",
      }),
    );
    // At their time a worker takes the other one, and not this one, even before it is taken back.
    t.skewMs += 2 * 60 * 60 * 1000 + 60_000;
    const due = (await claimDeliveries(t.state.env.ctx, { limit: 50, leaseMs: 60_000 })).map(
      (d) => d.outboundMessageId,
    );
    expect(due).toContain(untouched.outboundId);
    expect(due).not.toContain(sent.outboundId);
    const withdrawn = await withdrawOvertakenSends(t.state.env.ctx);
    expect(withdrawn.map((w) => w.conversationId)).toEqual([c]);
    expect(
      await t.state.env.ctx.db
        .select()
        .from(outboundMessages)
        .where(eq(outboundMessages.id, sent.outboundId)),
    ).toEqual([]);
    // The author has the text back to rework; the activity says why; the list no longer says 送信予約.
    const back = await t.alice.trpc.draft.get.query({ conversationId: c });
    expect(back.editing?.content.bodyText).toBe("明朝、納期をご連絡します。");
    const view = await bob.trpc.conversation.get.query({ conversationId: c });
    expect(view.activity.filter((a) => a.kind === "reply_cancelled")).toMatchObject([
      { actor: { name: "佐藤 愛" }, reason: "customer_wrote" },
    ]);
    expect(view.messages.map((m) => m.direction)).toEqual(["inbound", "inbound"]);
    expect(view.scheduled).toEqual([]);
    // Nothing more is taken back.
    expect(await withdrawOvertakenSends(t.state.env.ctx)).toEqual([]);
  });

  it("an ordinary send in its undo window is not taken back when the customer writes", async () => {
    const subject = "在庫の件";
    const c = await newConversation(subject);
    const view = await t.alice.trpc.conversation.get.query({ conversationId: c });
    const sent = await t.alice.trpc.reply.send.mutate({
      conversationId: c,
      basedOnSeq: view.conversation.lastSeq,
      to: customer,
      subject: `Re: ${subject}`,
      bodyText: "在庫はございます。",
    });
    await deliver(
      t.state.env.ctx,
      t.state.team.info.id,
      mail({ messageId: `${subject}-again-${driver}@customer.example`, body: "追加でもう一点。" }),
    );
    expect(await withdrawOvertakenSends(t.state.env.ctx)).toEqual([]);
    t.skewMs += WINDOW_MS + 1000;
    expect((await claimedFor(sent.outboundId)).map((r) => r.recipients)).toEqual([["taro@customer.example"]]);
  });
});
