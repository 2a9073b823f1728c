import { addSharedInbox, claimDeliveries, deliver } from "@madoguchi/core";
import { conversations, drafts, outboundMessages, outboundQueue } from "@madoguchi/db/schema";
import { parseMessage } from "@madoguchi/mail/parse";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { mail } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { expectTrpcError, type TestClient, useTeamServer } from "./support";

const PDF = Buffer.from("%PDF-1.4\n会社概要\n%%EOF\n");
const WINDOW_MS = 10_000; // the default undo window: the team's inbox sets none

describe.each(drivers)("undo of a new message (新規作成) (%s)", (driver) => {
  const t = useTeamServer(driver);

  const db = () => t.state.env.ctx.db;
  /** What the inbox screen shows: the list's rows and per-status counts, and the sidebar's counts. */
  const screen = async (client: TestClient, inboxId = t.state.team.info.id) => {
    const page = await client.trpc.conversation.list.query({ inboxId });
    const overview = (await client.trpc.inbox.list.query()).inboxes.find((i) => i.id === inboxId);
    return {
      ids: page.rows.map((r) => r.id),
      counts: page.counts,
      sidebar: { unread: overview?.unread, counts: overview?.counts },
    };
  };
  const uploadNew = async (draftId: number, filename: string, body: Buffer) => {
    const res = await fetch(
      `${t.server.url}/api/new-drafts/${draftId}/attachments?filename=${encodeURIComponent(filename)}`,
      {
        method: "POST",
        headers: { cookie: t.alice.cookie, "x-madoguchi-csrf": "1", "content-type": "application/pdf" },
        body,
      },
    );
    expect(res.status).toBe(201);
  };
  const nothingQueued = async (outboundId: number) => {
    expect(await db().select().from(outboundMessages).where(eq(outboundMessages.id, outboundId))).toEqual([]);
    expect(
      await db().select().from(outboundQueue).where(eq(outboundQueue.outboundMessageId, outboundId)),
    ).toEqual([]);
  };

  it("leaves no row in any list and gives the saved draft back, files included, as a new-message draft", async () => {
    const inboxId = t.state.team.info.id;
    // An existing customer conversation, so the list is not trivially empty.
    await deliver(
      t.state.env.ctx,
      inboxId,
      mail({ subject: "既存のお問い合わせ", messageId: `old-${driver}@c.example` }),
    );
    const before = await screen(t.alice);
    const bobBefore = await screen(t.bob);
    const content = {
      to: ["jiro@newclient.example"],
      cc: [],
      bcc: [],
      subject: `会社概要のご送付 ${driver}`,
      bodyText: "はじめてご連絡いたします。会社概要を添付します。",
    };
    const saved = await t.alice.trpc.compose.saveNewDraft.mutate({ inboxId, content });
    await uploadNew(saved.id, "会社概要.pdf", PDF);

    // A teammate has the inbox open: their client follows it over socket.io.
    const bobSocket = await t.bob.connect();
    expect(await bobSocket.send({ type: "join", inboxId })).toMatchObject({ ok: true, type: "joined" });

    const sent = await t.alice.trpc.compose.newMessage.mutate({
      inboxId,
      draftId: saved.id,
      to: [{ address: "jiro@newclient.example" }],
      subject: content.subject,
      bodyText: content.bodyText,
      clientMutationId: `new-undo-${driver}`,
    });
    expect(sent.heldUntil).not.toBeNull();
    const c = sent.conversationId as number;
    // Inside the window the new conversation is listed like any other (with the chosen status).
    expect((await screen(t.bob)).ids).toContain(c);
    expect((await t.alice.trpc.compose.newDrafts.query()).drafts).toEqual([]);

    const cancelled = await t.alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId });
    expect(cancelled).toEqual({
      cancelled: true,
      conversationId: c,
      draftId: saved.id,
      conversationRemoved: true,
      newDraft: true,
    });

    // Gone for everyone, counts as before the send.
    expect(await screen(t.alice)).toEqual(before);
    expect(await screen(t.bob)).toEqual(bobBefore);
    expect(await db().select().from(conversations).where(eq(conversations.id, c))).toEqual([]);
    await expectTrpcError(() => t.bob.trpc.conversation.get.query({ conversationId: c }), "NOT_FOUND");

    // Bob's open list is nudged; what it pulls says the conversation went with the cancelled send.
    const head = (await t.bob.trpc.changes.since.query({ inboxId, afterSeq: 0, limit: 500 })).head;
    await bobSocket.waitFor((m) => m.type === "inbox_advanced" && m.seq >= head);
    const log = await t.bob.trpc.changes.since.query({ inboxId, afterSeq: head - 1 });
    expect(log.changes.map((l) => [l.kind, l.conversationId, l.data])).toEqual([
      [
        "reply_cancelled",
        c,
        { replySeq: expect.any(Number), outboundId: sent.outboundId, conversationRemoved: true },
      ],
    ]);
    t.bob.closeSockets();

    // The composer gets its draft back: same id, text and file; no conversation, its From inbox.
    const back = (await t.alice.trpc.compose.newDrafts.query()).drafts;
    expect(back.map((d) => [d.id, d.inboxId, d.content, d.attachments.map((a) => a.filename)])).toEqual([
      [saved.id, inboxId, content, ["会社概要.pdf"]],
    ]);
    const [row] = await db().select().from(drafts).where(eq(drafts.id, saved.id));
    expect(row).toMatchObject({ conversationId: null, inboxId, state: "editing" });

    // Nothing goes out, also once the window would have ended.
    await nothingQueued(sent.outboundId);
    t.skewMs += WINDOW_MS + 1000;
    const claimed = await claimDeliveries(t.state.env.ctx, { limit: 50, leaseMs: 60_000 });
    expect(claimed.filter((r) => r.outboundMessageId === sent.outboundId)).toEqual([]);
    await expectTrpcError(
      () => t.alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId }),
      "NOT_FOUND",
    );

    // Sent again from the restored draft: a fresh conversation, with the file.
    const again = await t.alice.trpc.compose.newMessage.mutate({
      inboxId,
      draftId: saved.id,
      to: [{ address: "jiro@newclient.example" }],
      subject: content.subject,
      bodyText: content.bodyText,
    });
    expect(again.conversationId).not.toBe(c);
    expect((await screen(t.alice)).ids).toContain(again.conversationId);
    const [out] = await db().select().from(outboundMessages).where(eq(outboundMessages.id, again.outboundId));
    const raw = await t.state.env.ctx.blobs.get(out?.blobHash ?? "");
    expect((await parseMessage(raw)).attachments.map((a) => a.filename)).toEqual(["会社概要.pdf"]);
  });

  it("sent before the first autosave: the draft the send held comes back as a new-message draft", async () => {
    const inboxId = t.state.team.info.id;
    const before = await screen(t.alice);
    const sent = await t.alice.trpc.compose.newMessage.mutate({
      inboxId,
      to: [{ address: "saburo@newclient.example" }],
      subject: `取り急ぎ ${driver}`,
      bodyText: "取り急ぎご連絡まで。",
    });
    const cancelled = await t.alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId });
    expect(cancelled).toMatchObject({ conversationRemoved: true, newDraft: true });
    expect(await screen(t.alice)).toEqual(before);
    const back = (await t.alice.trpc.compose.newDrafts.query()).drafts;
    expect(back.map((d) => [d.id, d.inboxId, d.content.subject, d.content.to, d.content.bodyText])).toEqual([
      [
        cancelled.draftId,
        inboxId,
        `取り急ぎ ${driver}`,
        ["saburo@newclient.example"],
        "取り急ぎご連絡まで。",
      ],
    ]);
    await nothingQueued(sent.outboundId);
    await t.alice.trpc.compose.discardNewDraft.mutate({ draftId: cancelled.draftId });
  });

  it("to a teammates' shared address: the conversation its copy started there goes too", async () => {
    const sales = await addSharedInbox(t.state.env.ctx, {
      address: `sales-${driver}@example.co.jp`,
      name: "営業",
      memberEmails: ["bob@example.co.jp"],
    });
    const infoBefore = await screen(t.alice);
    const salesBefore = await screen(t.bob, sales.id);
    const sent = await t.alice.trpc.compose.newMessage.mutate({
      inboxId: t.state.team.info.id,
      to: [{ address: sales.address }],
      subject: `社内連絡 ${driver}`,
      bodyText: "営業部へ。",
    });
    const arrived = (await screen(t.bob, sales.id)).ids.filter((id) => !salesBefore.ids.includes(id));
    expect(arrived).toHaveLength(1);
    const cancelled = await t.alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId });
    expect(cancelled.conversationRemoved).toBe(true);
    expect(await screen(t.alice)).toEqual(infoBefore);
    expect(await screen(t.bob, sales.id)).toEqual(salesBefore);
    const log = await t.bob.trpc.changes.since.query({ inboxId: sales.id, afterSeq: 0 });
    expect(log.changes.at(-1)).toMatchObject({
      kind: "reply_cancelled",
      conversationId: arrived[0],
      data: { outboundId: sent.outboundId, conversationRemoved: true },
    });
    await t.alice.trpc.compose.discardNewDraft.mutate({ draftId: cancelled.draftId });
  });

  it("keeps the conversation when a teammate already wrote in its chat; the draft is still a new-message draft", async () => {
    const inboxId = t.state.team.info.id;
    const sent = await t.alice.trpc.compose.newMessage.mutate({
      inboxId,
      to: [{ address: "shiro@newclient.example" }],
      subject: `ご挨拶 ${driver}`,
      bodyText: "よろしくお願いいたします。",
      statusAfter: "waiting",
    });
    const c = sent.conversationId as number;
    await t.bob.trpc.comment.add.mutate({ conversationId: c, body: "この件は私も把握しています" });
    const cancelled = await t.alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId });
    expect(cancelled).toMatchObject({ conversationId: c, conversationRemoved: false, newDraft: true });
    const view = await t.bob.trpc.conversation.get.query({ conversationId: c });
    expect(view.messages).toEqual([]);
    expect(view.conversation.status).toBe("open");
    expect(view.activity.map((a) => a.kind)).toContain("reply_cancelled");
    const back = (await t.alice.trpc.compose.newDrafts.query()).drafts;
    expect(back.map((d) => [d.id, d.inboxId, d.content.subject])).toEqual([
      [cancelled.draftId, inboxId, `ご挨拶 ${driver}`],
    ]);
    await nothingQueued(sent.outboundId);
    await t.alice.trpc.compose.discardNewDraft.mutate({ draftId: cancelled.draftId });
  });

  it("a cancelled reply leaves its conversation as it was, with a reply draft", async () => {
    const inboxId = t.state.team.info.id;
    const { conversationId } = await deliver(
      t.state.env.ctx,
      inboxId,
      mail({ subject: "返品について", messageId: `return-${driver}@c.example` }),
    );
    const c = conversationId as number;
    const view = await t.alice.trpc.conversation.get.query({ conversationId: c });
    const sent = await t.alice.trpc.reply.send.mutate({
      conversationId: c,
      basedOnSeq: view.conversation.lastSeq,
      to: [{ address: "taro@customer.example" }],
      subject: "Re: 返品について",
      bodyText: "承知いたしました。",
    });
    const cancelled = await t.alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId });
    expect(cancelled).toMatchObject({ conversationId: c, conversationRemoved: false, newDraft: false });
    expect((await screen(t.alice)).ids).toContain(c);
    expect((await t.alice.trpc.draft.get.query({ conversationId: c })).editing?.content.bodyText).toBe(
      "承知いたしました。",
    );
    expect((await t.alice.trpc.compose.newDrafts.query()).drafts).toEqual([]);
  });
});
