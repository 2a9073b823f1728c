import { deliver } from "@madoguchi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail, useTeamEnv } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { attachmentMail, htmlMail } from "./mails";
import { agent, expectTrpcError, startTestServer, type TestClient, type TestServer } from "./support";

const PDF = Buffer.from("%PDF-1.4\n% 請求書のテスト\n%%EOF\n");

describe.each(drivers)("conversations through the API (%s)", (driver) => {
  const state = useTeamEnv(driver);
  let server: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  const conv: Record<string, number> = {};
  let invoiceMessageId = 0;

  beforeAll(async () => {
    const { ctx } = state.env;
    const id = state.team.info.id;
    server = await startTestServer(state.env);
    const put = async (name: string, raw: Buffer) => {
      const d = await deliver(ctx, id, raw);
      conv[name] = d.conversationId as number;
      return d;
    };
    await put("plain", mail({ subject: "配送について", body: "荷物がまだ届きません。" }));
    const invoice = await put(
      "invoice",
      attachmentMail({
        subject: "11月分のご請求",
        filename: "請求書 2026年11月.pdf",
        content: PDF,
        contentType: "application/pdf",
        messageId: "invoice-1@customer.example",
      }),
    );
    invoiceMessageId = invoice.messageId;
    await put(
      "html",
      htmlMail({
        subject: "キャンペーンのお知らせ",
        messageId: "html-1@customer.example",
        html: '<p onclick="steal()">こんにちは<script>alert(1)</script></p><img src="https://tracker.example/p.gif" alt="t"><a href="javascript:alert(2)">x</a><a href="https://example.com/">link</a>',
      }),
    );
    await put(
      "other",
      mail({ subject: "ご質問", from: "hanako@other.example", body: "請求書の再発行をお願いします。" }),
    );
    alice = await agent(server, "alice");
    bob = await agent(server, "bob");
  });
  afterAll(() => server?.close());

  const list = (input: Partial<Parameters<TestClient["trpc"]["conversation"]["list"]["query"]>[0]> = {}) =>
    alice.trpc.conversation.list.query({ inboxId: state.team.info.id, ...input });

  it("lists newest first with counts, and filters by status, assignee, unread, attachment", async () => {
    const all = await list();
    expect(all.rows).toHaveLength(4);
    expect(all.counts).toEqual({ open: 4, in_progress: 0, waiting: 0, done: 0 });
    const invoiceRow = all.rows.find((r) => r.id === conv.invoice);
    expect(invoiceRow).toMatchObject({
      subject: "11月分のご請求",
      sender: { address: "keiri@customer.example", name: "経理" },
      status: "open",
      assignee: null,
      unread: true,
      hasAttachments: true,
    });
    expect(invoiceRow?.snippet).toContain("添付をご確認ください");

    await alice.trpc.conversation.setStatus.mutate({ conversationId: conv.plain as number, status: "done" });
    await alice.trpc.conversation.assign.mutate({
      conversationId: conv.invoice as number,
      assigneeId: state.team.bob.id,
    });
    await alice.trpc.conversation.markRead.mutate({ conversationId: conv.html as number });

    expect((await list({ status: "done" })).rows.map((r) => r.id)).toEqual([conv.plain]);
    const open = await list({ status: "open" });
    expect(open.rows).toHaveLength(3);
    expect(open.counts).toEqual({ open: 3, in_progress: 0, waiting: 0, done: 1 });
    expect((await list({ assignee: "unassigned" })).rows.map((r) => r.id)).not.toContain(conv.invoice);
    const bobs = await bob.trpc.conversation.list.query({ inboxId: state.team.info.id, assignee: "me" });
    expect(bobs.rows.map((r) => r.id)).toEqual([conv.invoice]);
    expect(bobs.rows[0]?.assignee).toEqual({ id: state.team.bob.id, name: "鈴木 文" });
    expect((await list({ unread: true })).rows.map((r) => r.id)).not.toContain(conv.html);
    expect((await list({ hasAttachment: true })).rows.map((r) => r.id)).toEqual([conv.invoice]);

    const inboxes = await bob.trpc.inbox.list.query();
    const info = inboxes.inboxes.find((i) => i.id === state.team.info.id);
    expect(info).toMatchObject({ unread: 4, counts: { open: 3, done: 1 }, assignedToMe: 1 });
    expect(inboxes.assignedToMe).toBe(1);
  });

  it("finds Japanese substrings in subject, body and addresses", async () => {
    const ids = async (q: string) => (await list({ q })).rows.map((r) => r.id).sort();
    // 請求書 is in one body (and in an attachment's name, which is not searched).
    expect(await ids("請求書")).toEqual([conv.other]);
    expect(await ids("請求")).toEqual([conv.invoice, conv.other].sort());
    expect(await ids("届きません")).toEqual([conv.plain]);
    expect(await ids("hanako@other")).toEqual([conv.other]);
    expect(await ids("経理")).toEqual([conv.invoice]);
    expect(await ids("請求　再発行")).toEqual([conv.other]);
    expect(await ids("100%")).toEqual([]);
  });

  it("pages with a keyset cursor without gaps or repeats", async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await list({ limit: 1, cursor });
      seen.push(...page.rows.map((r) => r.id));
      if (i > 0) expect(page.counts).toBeNull();
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect(seen).toEqual((await list()).rows.map((r) => r.id));
    await expectTrpcError(() => list({ cursor: "garbage" }), "BAD_REQUEST");
  });

  it("renders HTML mail sanitized: no script or handlers, remote images blocked until allowed", async () => {
    const view = await alice.trpc.conversation.get.query({ conversationId: conv.html as number });
    const m = view.messages[0];
    expect(m?.text).toContain("テキスト版です");
    expect(m?.html).toContain("こんにちは");
    expect(m?.html).not.toMatch(/<script|alert\(1\)|onclick|javascript:/i);
    expect(m?.html).not.toMatch(/\ssrc="https:\/\/tracker/);
    expect(m?.html).toContain('data-blocked-src="https://tracker.example/p.gif"');
    expect(m?.remoteImagesBlocked).toBe(1);
    expect(m?.html).toContain('href="https://example.com/"');
    expect(m?.html).toContain('rel="noopener noreferrer nofollow"');
    const allowed = await alice.trpc.conversation.get.query({
      conversationId: conv.html as number,
      allowRemote: true,
    });
    expect(allowed.messages[0]?.html).toMatch(/\ssrc="https:\/\/tracker\.example\/p\.gif"/);
    expect(allowed.messages[0]?.html).not.toMatch(/<script/i);
  });

  it("downloads an attachment with its Japanese name and type", async () => {
    const view = await bob.trpc.conversation.get.query({ conversationId: conv.invoice as number });
    const a = view.messages[0]?.attachments[0];
    expect(a).toMatchObject({ filename: "請求書 2026年11月.pdf", contentType: "application/pdf", index: 0 });
    const res = await fetch(`${server.url}${a?.url}`, { headers: { cookie: bob.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const disposition = res.headers.get("content-disposition") ?? "";
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+\.pdf"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1] ?? "")).toBe("請求書 2026年11月.pdf");
    expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
    expect(
      (
        await fetch(`${server.url}/api/attachments/${invoiceMessageId}/5`, {
          headers: { cookie: bob.cookie },
        })
      ).status,
    ).toBe(404);
  });

  it("shows who did what in the activity line, and the chat with @mentions notifying", async () => {
    const c = conv.invoice as number;
    await bob.trpc.conversation.setStatus.mutate({ conversationId: c, status: "in_progress" });
    const comment = await alice.trpc.comment.add.mutate({
      conversationId: c,
      body: "@bob 金額を確認してください",
    });
    expect(comment.mentions).toEqual([state.team.bob.id]);
    await expectTrpcError(
      () => bob.trpc.comment.edit.mutate({ conversationId: c, commentId: comment.id, body: "x" }),
      "FORBIDDEN",
    );
    const edited = await alice.trpc.comment.edit.mutate({
      conversationId: c,
      commentId: comment.id,
      body: "@bob 金額と宛名を確認してください",
    });
    expect(edited.editedAt).not.toBeNull();

    const view = await bob.trpc.conversation.get.query({ conversationId: c });
    expect(view.comments.map((x) => x.body)).toEqual(["@bob 金額と宛名を確認してください"]);
    const kinds = view.activity.map((a) => a.kind);
    expect(kinds).toEqual([
      "conversation_created",
      "message_added",
      "assignee_changed",
      "status_changed",
      "comment_added",
    ]);
    const assigned = view.activity.find((a) => a.kind === "assignee_changed");
    expect(assigned).toMatchObject({ actor: { name: "佐藤 愛" }, from: null, to: { name: "鈴木 文" } });
    expect(view.activity.find((a) => a.kind === "status_changed")).toMatchObject({
      actor: { name: "鈴木 文" },
      from: "open",
      to: "in_progress",
    });

    const notes = await bob.trpc.notification.list.query();
    expect(notes.unread).toBe(1);
    expect(notes.items[0]).toMatchObject({
      kind: "mention",
      conversationId: c,
      actor: { name: "佐藤 愛" },
      subject: "11月分のご請求",
      read: false,
    });
    expect((await bob.trpc.notification.markRead.mutate({ ids: "all" })).updated).toBe(1);
    expect((await bob.trpc.notification.list.query({ unreadOnly: true })).items).toHaveLength(0);

    await alice.trpc.comment.delete.mutate({ conversationId: c, commentId: comment.id });
    const after = await bob.trpc.conversation.get.query({ conversationId: c });
    expect(after.comments[0]).toMatchObject({ deleted: true, body: "" });
  });

  it("saves and restores drafts, and fills templates", async () => {
    const c = conv.other as number;
    await alice.trpc.draft.save.mutate({
      conversationId: c,
      basedOnSeq: 1,
      content: { bodyText: "下書き1" },
    });
    await Promise.all([
      alice.single.draft.save.mutate({ conversationId: c, basedOnSeq: 2, content: { bodyText: "下書き2" } }),
      alice.single.draft.save.mutate({ conversationId: c, basedOnSeq: 2, content: { bodyText: "下書き2" } }),
    ]);
    const drafts = await alice.trpc.draft.get.query({ conversationId: c });
    expect(drafts.editing?.content.bodyText).toBe("下書き2");
    expect(drafts.refused).toEqual([]);
    expect((await bob.trpc.draft.get.query({ conversationId: c })).editing).toBeNull();
    await alice.trpc.draft.discard.mutate({ conversationId: c });
    expect((await alice.trpc.draft.get.query({ conversationId: c })).editing).toBeNull();

    const inboxId = state.team.info.id;
    const t = await alice.trpc.template.create.mutate({
      inboxId,
      name: "お礼",
      subject: "Re: {{conversation.subject}}",
      body: "{{customer.name}} 様\nお問い合わせありがとうございます。\n{{agent.name}}（{{inbox.name}}）{{unknown.key}}",
    });
    const rendered = await bob.trpc.template.render.query({ templateId: t.id, conversationId: c });
    expect(rendered.subject).toBe("Re: ご質問");
    expect(rendered.body).toBe(
      "hanako@other.example 様\nお問い合わせありがとうございます。\n鈴木 文（お問い合わせ）{{unknown.key}}",
    );
    const listed = await bob.trpc.template.list.query({ inboxId });
    expect(listed.templates.map((x) => x.name)).toEqual(["お礼"]);
    expect(listed.placeholders).toContain("customer.name");
  });

  it("catches up from the change log in order", async () => {
    const inboxId = state.team.info.id;
    const first = await alice.trpc.changes.since.query({ inboxId, afterSeq: 0, limit: 3 });
    expect(first.changes.map((c) => c.seq)).toEqual([1, 2, 3]);
    expect(first.more).toBe(true);
    const rest = await alice.trpc.changes.since.query({ inboxId, afterSeq: 3 });
    expect(rest.more).toBe(false);
    expect(rest.changes.at(-1)?.seq).toBe(rest.head);
    expect(rest.changes.some((c) => c.kind === "status_changed" && c.conversationId === conv.plain)).toBe(
      true,
    );
  });
});
