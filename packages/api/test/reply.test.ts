import { deliver } from "@madoguchi/core";
import { changes, messages, outboundMessages, outboundQueue } from "@madoguchi/db/schema";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail, useTeamEnv } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { agent, expectTrpcError, startTestServer, TestClient, type TestServer } from "./support";

const customer = [{ address: "taro@customer.example", name: "山田 太郎" }];

describe.each(drivers)("replies through the API (%s)", (driver) => {
  const state = useTeamEnv(driver);
  let server: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  let queued = 0;

  beforeAll(async () => {
    server = await startTestServer(state.env, { onQueued: () => queued++ });
    alice = await agent(server, "alice");
    bob = await agent(server, "bob");
  });
  afterAll(() => server?.close());

  const newConversation = async (subject: string) => {
    const d = await deliver(
      state.env.ctx,
      state.team.info.id,
      mail({ subject, messageId: `${subject}@customer.example` }),
    );
    return d.conversationId as number;
  };
  const outboundOf = (conversationId: number) =>
    state.env.ctx.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.conversationId, conversationId));

  it("sends a reply: Sent copy threaded in, queued for delivery, status done; a stale second send is refused with the first reply", async () => {
    const c = await newConversation("返品について");
    const aliceView = await alice.trpc.conversation.get.query({ conversationId: c });
    const bobView = await bob.trpc.conversation.get.query({ conversationId: c });
    const sent = await alice.trpc.reply.send.mutate({
      conversationId: c,
      basedOnSeq: aliceView.conversation.lastSeq,
      to: customer,
      subject: "Re: 返品について",
      bodyText: "返品を承りました。着払いでお送りください。",
    });
    expect(sent).toMatchObject({ sent: true, duplicate: false });
    expect(sent.messageId).toMatch(/@mail\.example\.co\.jp$/);
    expect(queued).toBeGreaterThan(0);

    const [out] = await outboundOf(c);
    expect(out?.releasedAt).not.toBeNull();
    const rows = await state.env.ctx.db
      .select()
      .from(outboundQueue)
      .where(eq(outboundQueue.outboundMessageId, out?.id ?? 0));
    expect(rows.map((r) => [r.state, r.recipients])).toEqual([["queued", ["taro@customer.example"]]]);

    const after = await alice.trpc.conversation.get.query({ conversationId: c });
    expect(after.conversation.status).toBe("done");
    expect(after.messages.map((m) => [m.direction, m.mailbox])).toEqual([
      ["inbound", "INBOX"],
      ["outbound", "Sent"],
    ]);
    expect(after.messages[1]?.text).toContain("着払いでお送りください");
    expect(after.unread).toBe(false);

    // Bob drafted from the state before Alice's reply.
    const refused = await expectTrpcError(
      () =>
        bob.trpc.reply.send.mutate({
          conversationId: c,
          basedOnSeq: bobView.conversation.lastSeq,
          to: customer,
          subject: "Re: 返品について",
          bodyText: "返品は受け付けておりません。",
        }),
      "CONFLICT",
    );
    expect(refused.appCode).toBe("REPLY_CONFLICT");
    expect(refused.messageKey).toBe("error.replyConflict");
    const conflict = refused.details.conflict as Record<string, unknown>;
    expect(conflict).toMatchObject({ kind: "reply_sent", byName: "佐藤 愛", byUserId: state.team.alice.id });
    expect(conflict.text).toContain("着払いでお送りください");
    expect(conflict.description).toMatch(/佐藤 愛 already replied/);
    const drafts = await bob.trpc.draft.get.query({ conversationId: c });
    expect(drafts.refused.map((d) => [d.id, d.content.bodyText])).toEqual([
      [conflict.draftId, "返品は受け付けておりません。"],
    ]);
    expect(await outboundOf(c)).toHaveLength(1);

    // Sending anyway is explicit and audited.
    await bob.trpc.reply.send.mutate({
      conversationId: c,
      basedOnSeq: bobView.conversation.lastSeq,
      to: customer,
      subject: "Re: 返品について",
      bodyText: "補足です。",
      override: true,
    });
    expect(await outboundOf(c)).toHaveLength(2);
    const log = await state.env.ctx.db
      .select()
      .from(changes)
      .where(and(eq(changes.conversationId, c), inArray(changes.kind, ["reply_sent", "reply_refused"])))
      .orderBy(changes.seq);
    expect(log.map((l) => [l.kind, l.actorId, l.data.override ?? false])).toEqual([
      ["reply_sent", state.team.alice.id, false],
      ["reply_refused", state.team.bob.id, false],
      ["reply_sent", state.team.bob.id, true],
    ]);
    const activity = (await alice.trpc.conversation.get.query({ conversationId: c })).activity;
    expect(activity.filter((a) => a.kind === "reply_sent").map((a) => "override" in a && a.override)).toEqual(
      [false, true],
    );
  });

  it("refuses a reply drafted before a teammate's comment, naming it", async () => {
    const c = await newConversation("納期の確認");
    const seen = (await alice.trpc.conversation.get.query({ conversationId: c })).conversation.lastSeq;
    await bob.trpc.comment.add.mutate({ conversationId: c, body: "納期は来週です。返信前に確認を。" });
    const refused = await expectTrpcError(
      () =>
        alice.trpc.reply.send.mutate({
          conversationId: c,
          basedOnSeq: seen,
          to: customer,
          subject: "Re",
          bodyText: "明日です",
        }),
      "CONFLICT",
    );
    expect(refused.details.conflict).toMatchObject({
      kind: "comment_added",
      byName: "鈴木 文",
      text: "納期は来週です。返信前に確認を。",
    });
  });

  it("20 concurrent sends on one conversation from 20 sessions: exactly one is queued", async () => {
    const c = await newConversation("同時送信");
    const clients = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const client = new TestClient(server.url);
        if (i % 2) await client.login("bob@example.co.jp", "correct horse 2");
        else await client.login("alice@example.co.jp", "correct horse 1");
        return client;
      }),
    );
    const seq = (await alice.trpc.conversation.get.query({ conversationId: c })).conversation.lastSeq;
    const results = await Promise.allSettled(
      clients.map((client, i) =>
        client.single.reply.send.mutate({
          conversationId: c,
          basedOnSeq: seq,
          to: customer,
          subject: "Re: 同時送信",
          bodyText: `返信 ${i}`,
          clientMutationId: `race-${i}`,
        }),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter(
      (r) =>
        r.status === "rejected" &&
        (r.reason as { data?: { appCode?: string } }).data?.appCode === "REPLY_CONFLICT",
    );
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(19);
    const out = await state.env.ctx.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.subject, "Re: 同時送信"));
    expect(out).toHaveLength(1);
    const rows = await state.env.ctx.db
      .select()
      .from(outboundQueue)
      .where(eq(outboundQueue.outboundMessageId, out[0]?.id ?? 0));
    expect(rows.map((r) => r.state)).toEqual(["queued"]);
    const sentCopies = await state.env.ctx.db
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.conversationId, c), eq(messages.direction, "outbound")));
    expect(sentCopies).toHaveLength(1);
  }, 60_000);

  it("applies a retried mutation once: same client mutation id, same result", async () => {
    const c = await newConversation("二重クリック");
    const seq = (await alice.trpc.conversation.get.query({ conversationId: c })).conversation.lastSeq;
    const input = {
      conversationId: c,
      basedOnSeq: seq,
      to: customer,
      subject: "Re: 二重クリック",
      bodyText: "一度だけ送られます。",
      clientMutationId: "0b6f8f5e-double-click",
    };
    const [first, second] = await Promise.all([
      alice.single.reply.send.mutate(input),
      alice.single.reply.send.mutate(input),
    ]);
    const third = await alice.trpc.reply.send.mutate(input);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(await outboundOf(c)).toHaveLength(1);

    // A status change retried after a later change does not undo the later one.
    await alice.trpc.conversation.setStatus.mutate({
      conversationId: c,
      status: "waiting",
      clientMutationId: "m-1",
    });
    await alice.trpc.conversation.setStatus.mutate({
      conversationId: c,
      status: "in_progress",
      clientMutationId: "m-2",
    });
    await alice.trpc.conversation.setStatus.mutate({
      conversationId: c,
      status: "waiting",
      clientMutationId: "m-1",
    });
    expect((await alice.trpc.conversation.get.query({ conversationId: c })).conversation.status).toBe(
      "in_progress",
    );
    // A domain error is remembered too, and an id cannot be reused for another action.
    const stale = { ...input, clientMutationId: "stale-1", bodyText: "古い" };
    const e1 = await expectTrpcError(() => alice.trpc.reply.send.mutate(stale), "CONFLICT");
    const e2 = await expectTrpcError(() => alice.trpc.reply.send.mutate(stale), "CONFLICT");
    expect(e2.details).toEqual(e1.details);
    await expectTrpcError(
      () => alice.trpc.comment.add.mutate({ conversationId: c, body: "x", clientMutationId: "m-1" }),
      "BAD_REQUEST",
    );
    const refusals = await state.env.ctx.db
      .select()
      .from(changes)
      .where(and(eq(changes.conversationId, c), eq(changes.kind, "reply_refused")));
    expect(refusals).toHaveLength(1);
  });

  it("claims and releases the reply lease, showing the holder to others", async () => {
    const c = await newConversation("返信中");
    expect(await alice.trpc.reply.claim.mutate({ conversationId: c })).toMatchObject({ claimed: true });
    const other = await bob.trpc.reply.claim.mutate({ conversationId: c });
    expect(other).toMatchObject({ claimed: false, holder: { id: state.team.alice.id, name: "佐藤 愛" } });
    const row = (await bob.trpc.conversation.list.query({ inboxId: state.team.info.id })).rows.find(
      (r) => r.id === c,
    );
    expect(row?.replyClaim).toMatchObject({ id: state.team.alice.id, name: "佐藤 愛" });
    await alice.trpc.reply.release.mutate({ conversationId: c });
    expect(await bob.trpc.reply.claim.mutate({ conversationId: c })).toMatchObject({ claimed: true });
  });
});
