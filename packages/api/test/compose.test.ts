import { deliver, MAX_ATTACHMENT_BYTES } from "@madoguchi/core";
import { conversations, messages, outboundMessages, outboundQueue } from "@madoguchi/db/schema";
import { attachmentContent } from "@madoguchi/mail";
import { parseMessage } from "@madoguchi/mail/parse";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail, useTeamEnv } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { attachmentMail } from "./mails";
import { agent, expectTrpcError, startTestServer, type TestClient, type TestServer } from "./support";

const PDF = Buffer.from("%PDF-1.4\n請求書の中身\n%%EOF\n");

/** Uploads a file the way the composer does (fetch with the session cookie and CSRF header). */
async function upload(
  client: TestClient,
  conversationId: number,
  filename: string,
  body: Buffer,
  type = "text/plain",
) {
  const res = await fetch(
    `${client.baseUrl}/api/drafts/${conversationId}/attachments?filename=${encodeURIComponent(filename)}`,
    {
      method: "POST",
      headers: { cookie: client.cookie, "x-madoguchi-csrf": "1", "content-type": type },
      body,
    },
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe.each(drivers)("composer: forward, new message, attachments (%s)", (driver) => {
  const state = useTeamEnv(driver);
  let server: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;

  beforeAll(async () => {
    server = await startTestServer(state.env);
    alice = await agent(server, "alice");
    bob = await agent(server, "bob");
    await bob.trpc.auth.updateProfile.mutate({ locale: "en", timeZone: "America/New_York" });
    carol = await agent(server, "carol");
  });
  afterAll(() => server?.close());

  const outboundRaw = async (outboundId: number) => {
    const [m] = await state.env.ctx.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.id, outboundId));
    if (!m) throw new Error("no outbound message");
    return state.env.ctx.blobs.get(m.blobHash);
  };

  it("forwards a customer mail with its attachment, a quote in the user's language, outside the reply guard", async () => {
    const delivered = await deliver(
      state.env.ctx,
      state.team.info.id,
      attachmentMail({
        subject: "請求書送付のお願い",
        filename: "請求書.pdf",
        content: PDF,
        contentType: "application/pdf",
        messageId: `invoice-${driver}@customer.example`,
      }),
    );
    const c = delivered.conversationId as number;
    const ja = await alice.trpc.compose.forwardStart.query({ messageId: delivered.messageId });
    expect(ja.subject).toBe("Fwd: 請求書送付のお願い");
    expect(ja.quote).toContain("---------- 転送メッセージ ----------");
    expect(ja.quote).toContain("差出人: 経理 <keiri@customer.example>");
    expect(ja.quote).toContain("件名: 請求書送付のお願い");
    expect(ja.quote).toContain("添付をご確認ください。");
    expect(ja.attachments.map((a) => a.filename)).toEqual(["請求書.pdf"]);
    const en = await bob.trpc.compose.forwardStart.query({ messageId: delivered.messageId });
    expect(en.quote).toContain("---------- Forwarded message ---------");
    expect(en.quote).toContain("Subject: 請求書送付のお願い");
    expect(en.quote).toMatch(/Date: Thursday, November 26, 2026/); // 12:00 JST is the evening before in New York

    const view = await alice.trpc.conversation.get.query({ conversationId: c });
    const bobView = await bob.trpc.conversation.get.query({ conversationId: c });
    const added = await upload(alice, c, "見積書 (改訂版).txt", Buffer.from("見積: 10,000円\n"));
    expect(added.status).toBe(201);
    const fwd = await alice.trpc.compose.forward.mutate({
      conversationId: c,
      messageId: delivered.messageId,
      basedOnSeq: view.conversation.lastSeq,
      to: [{ address: "keiri@partner.example", name: "経理部" }],
      subject: ja.subject,
      bodyText: `ご確認ください。\n\n${ja.quote}`,
      statusAfter: "waiting",
    });
    expect(fwd.heldUntil).not.toBeNull();

    const raw = await outboundRaw(fwd.outboundId);
    const parsed = await parseMessage(raw);
    expect(parsed.inReplyTo).toBe(`invoice-${driver}@customer.example`);
    expect(parsed.attachments.map((a) => a.filename)).toEqual(["請求書.pdf", "見積書 (改訂版).txt"]);
    expect((await attachmentContent(raw, 0))?.content.equals(PDF)).toBe(true);
    expect((await attachmentContent(raw, 1))?.content.toString()).toBe("見積: 10,000円\n");
    // Japanese names as RFC 2231 parameters (what nodemailer writes), not raw UTF-8 in the header.
    expect(raw.toString("latin1")).toMatch(/filename\*0?\*?=utf-8''/i);
    const [q] = await state.env.ctx.db
      .select()
      .from(outboundQueue)
      .where(eq(outboundQueue.outboundMessageId, fwd.outboundId));
    expect(q?.recipients).toEqual(["keiri@partner.example"]);

    // The forward threads into the conversation and sets the chosen status ...
    const sentCopy = await state.env.ctx.db
      .select({ conversationId: messages.conversationId })
      .from(messages)
      .where(eq(messages.messageIdHeader, fwd.messageId));
    expect(sentCopy.map((m) => m.conversationId)).toEqual([c]);
    const after = await alice.trpc.conversation.get.query({ conversationId: c });
    expect(after.conversation.status).toBe("waiting");
    // ... but is no answer to the customer: Bob's reply from his older view is not refused.
    const reply = await bob.trpc.reply.send.mutate({
      conversationId: c,
      basedOnSeq: bobView.conversation.lastSeq,
      to: [{ address: "keiri@customer.example" }],
      subject: "Re: 請求書送付のお願い",
      bodyText: "承知しました。",
    });
    expect(reply.sent).toBe(true);
    // The upload went out with the forward: the draft holds it only until the window ends.
    await alice.trpc.reply.cancel.mutate({ outboundId: fwd.outboundId });
    const back = await alice.trpc.draft.get.query({ conversationId: c });
    expect(back.editing?.content.forward).toEqual({ messageId: delivered.messageId, withAttachments: true });
    expect(back.attachments.map((a) => a.filename)).toEqual(["見積書 (改訂版).txt"]);
  });

  it("uploads into the author's own draft: listed, restored, removable, sent as MIME parts; limits refuse clearly", async () => {
    const { conversationId } = await deliver(
      state.env.ctx,
      state.team.info.id,
      mail({ subject: "資料の件", messageId: `docs-${driver}@customer.example` }),
    );
    const c = conversationId as number;
    const view = await alice.trpc.conversation.get.query({ conversationId: c });
    const first = await upload(alice, c, "会社案内.pdf", PDF, "application/pdf");
    const second = await upload(alice, c, "メモ.txt", Buffer.from("不要"));
    expect([first.status, second.status]).toEqual([201, 201]);

    // Too large: 413 with words, nothing stored; no name: 400; not a member: 403.
    const big = await upload(alice, c, "大きい.bin", Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 1));
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: "TOO_LARGE", ja: expect.stringContaining("大きすぎます") });
    expect((await upload(alice, c, "", Buffer.from("x"))).status).toBe(400);
    expect((await upload(carol, c, "x.txt", Buffer.from("x"))).status).toBe(403);
    const noCsrf = await fetch(`${server.url}/api/drafts/${c}/attachments?filename=a.txt`, {
      method: "POST",
      headers: { cookie: alice.cookie },
      body: "x",
    });
    expect(noCsrf.status).toBe(403);
    // Bob cannot see or remove Alice's files: each author has their own draft.
    expect((await bob.trpc.draft.get.query({ conversationId: c })).attachments).toEqual([]);
    const memo = (second.body.attachment as { id: number }).id;
    await expectTrpcError(
      () => bob.trpc.draft.removeAttachment.mutate({ conversationId: c, attachmentId: memo }),
      "NOT_FOUND",
    );

    // Autosave keeps the files (same draft); after a "reload" they are listed; one is removed.
    await alice.trpc.draft.save.mutate({
      conversationId: c,
      basedOnSeq: view.conversation.lastSeq,
      content: { subject: "Re: 資料の件", bodyText: "資料を添付します。", to: ["taro@customer.example"] },
    });
    const listed = await alice.trpc.draft.get.query({ conversationId: c });
    expect(listed.attachments.map((a) => [a.filename, a.size])).toEqual([
      ["会社案内.pdf", PDF.length],
      ["メモ.txt", 6],
    ]);
    await alice.trpc.draft.removeAttachment.mutate({ conversationId: c, attachmentId: memo });

    const sent = await alice.trpc.reply.send.mutate({
      conversationId: c,
      basedOnSeq: view.conversation.lastSeq,
      to: [{ address: "taro@customer.example" }],
      subject: "Re: 資料の件",
      bodyText: "資料を添付します。",
    });
    const raw = await outboundRaw(sent.outboundId);
    const parsed = await parseMessage(raw);
    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ["会社案内.pdf", "application/pdf"],
    ]);
    expect((await attachmentContent(raw, 0))?.content.equals(PDF)).toBe(true);
    // Inside the window the files sit with the held draft: not offered as a new draft's.
    expect((await alice.trpc.draft.get.query({ conversationId: c })).attachments).toEqual([]);
    await alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId });
    expect(
      (await alice.trpc.draft.get.query({ conversationId: c })).attachments.map((a) => a.filename),
    ).toEqual(["会社案内.pdf"]);
  });

  it("starts a new conversation from a shared address with the chosen status; members only", async () => {
    const sent = await alice.trpc.compose.newMessage.mutate({
      inboxId: state.team.info.id,
      to: [{ address: "hanako@newclient.example", name: "佐々木 花子" }],
      subject: `ご提案のご連絡 ${driver}`,
      bodyText: "はじめてご連絡いたします。",
      statusAfter: "waiting",
      clientMutationId: `new-${driver}`,
    });
    expect(sent.conversationId).not.toBeNull();
    const [conv] = await state.env.ctx.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, sent.conversationId as number));
    expect(conv).toMatchObject({
      inboxId: state.team.info.id,
      status: "waiting",
      customerAddress: "hanako@newclient.example",
    });
    const view = await bob.trpc.conversation.get.query({ conversationId: sent.conversationId as number });
    expect(view.messages.map((m) => [m.direction, m.subject])).toEqual([
      ["outbound", `ご提案のご連絡 ${driver}`],
    ]);
    const raw = (await parseMessage(await outboundRaw(sent.outboundId))).from;
    expect(raw?.address).toBe("info@example.co.jp");
    // A double click (same mutation id) sends once.
    const again = await alice.trpc.compose.newMessage.mutate({
      inboxId: state.team.info.id,
      to: [{ address: "hanako@newclient.example" }],
      subject: `ご提案のご連絡 ${driver}`,
      bodyText: "はじめてご連絡いたします。",
      clientMutationId: `new-${driver}`,
    });
    expect(again.outboundId).toBe(sent.outboundId);

    await expectTrpcError(
      () =>
        carol.trpc.compose.newMessage.mutate({
          inboxId: state.team.info.id,
          to: [{ address: "x@newclient.example" }],
          subject: "x",
          bodyText: "x",
        }),
      "FORBIDDEN",
    );
    const first = view.messages[0]?.id ?? 0;
    const conversationId = sent.conversationId as number;
    await expectTrpcError(() => carol.trpc.compose.forwardStart.query({ messageId: first }), "FORBIDDEN");
    await expectTrpcError(
      () =>
        carol.trpc.compose.forward.mutate({
          conversationId,
          messageId: first,
          basedOnSeq: 0,
          to: [{ address: "x@partner.example" }],
          subject: "Fwd",
          bodyText: "x",
        }),
      "FORBIDDEN",
    );
    await expectTrpcError(
      () => carol.trpc.draft.removeAttachment.mutate({ conversationId, attachmentId: 1 }),
      "FORBIDDEN",
    );
  });

  it("keeps a new message as a server draft with its files: restored, sent with them, back after an undo", async () => {
    const saved = await alice.trpc.compose.saveNewDraft.mutate({
      inboxId: state.team.info.id,
      content: {
        to: ["jiro@newclient.example"],
        subject: `資料送付 ${driver}`,
        bodyText: "資料を添付します。",
      },
    });
    const res = await fetch(
      `${server.url}/api/new-drafts/${saved.id}/attachments?filename=${encodeURIComponent("会社概要.pdf")}`,
      {
        method: "POST",
        headers: { cookie: alice.cookie, "x-madoguchi-csrf": "1", "content-type": "application/pdf" },
        body: PDF,
      },
    );
    expect(res.status).toBe(201);
    // Someone else's new draft is not theirs to add to.
    const foreign = await fetch(`${server.url}/api/new-drafts/${saved.id}/attachments?filename=x.txt`, {
      method: "POST",
      headers: { cookie: bob.cookie, "x-madoguchi-csrf": "1" },
      body: "x",
    });
    expect(foreign.status).toBe(404);
    await alice.trpc.compose.saveNewDraft.mutate({
      inboxId: state.team.info.id,
      draftId: saved.id,
      content: {
        to: ["jiro@newclient.example"],
        subject: `資料送付 ${driver}`,
        bodyText: "資料を添付します。よろしくお願いします。",
      },
    });
    const listed = (await alice.trpc.compose.newDrafts.query()).drafts;
    expect(listed.map((d) => [d.id, d.content.bodyText, d.attachments.map((a) => a.filename)])).toEqual([
      [saved.id, "資料を添付します。よろしくお願いします。", ["会社概要.pdf"]],
    ]);
    expect((await bob.trpc.compose.newDrafts.query()).drafts).toEqual([]);
    await expectTrpcError(
      () =>
        bob.trpc.compose.newMessage.mutate({
          inboxId: state.team.info.id,
          draftId: saved.id,
          to: [{ address: "jiro@newclient.example" }],
          subject: "x",
          bodyText: "x",
        }),
      "NOT_FOUND",
    );

    const sent = await alice.trpc.compose.newMessage.mutate({
      inboxId: state.team.info.id,
      draftId: saved.id,
      to: [{ address: "jiro@newclient.example" }],
      subject: `資料送付 ${driver}`,
      bodyText: "資料を添付します。よろしくお願いします。",
    });
    const parsed = await parseMessage(await outboundRaw(sent.outboundId));
    expect(parsed.attachments.map((a) => a.filename)).toEqual(["会社概要.pdf"]);
    // Held with the send: no longer an unsent new message.
    expect((await alice.trpc.compose.newDrafts.query()).drafts).toEqual([]);
    const undone = await alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId });
    // reply.cancel itself gives the draft back as a new-message draft (text and files).
    expect(undone).toMatchObject({ draftId: saved.id, newDraft: true });
    const back = (await alice.trpc.compose.newDrafts.query()).drafts;
    expect(back.map((d) => [d.id, d.inboxId, d.attachments.map((a) => a.filename)])).toEqual([
      [saved.id, state.team.info.id, ["会社概要.pdf"]],
    ]);
    await alice.trpc.compose.discardNewDraft.mutate({ draftId: saved.id });
    expect((await alice.trpc.compose.newDrafts.query()).drafts).toEqual([]);
    await expectTrpcError(
      () =>
        carol.trpc.compose.saveNewDraft.mutate({ inboxId: state.team.info.id, content: { bodyText: "x" } }),
      "FORBIDDEN",
    );
  });
});
