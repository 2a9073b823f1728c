import { addComment, createTemplate, deliver, getConversation } from "@madoguchi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail, useTeamEnv } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { agent, expectTrpcError, startTestServer, TestClient, type TestServer } from "./support";

describe.each(drivers)("authorization through the API (%s)", (driver) => {
  const state = useTeamEnv(driver);
  let server: TestServer;
  let carol: TestClient;
  let alice: TestClient;
  const ids = { inbox: 0, conversation: 0, comment: 0, template: 0, message: 0, seq: 0 };

  beforeAll(async () => {
    const { ctx } = state.env;
    const { alice: a, info } = state.team;
    server = await startTestServer(state.env);
    const delivered = await deliver(ctx, info.id, mail({ subject: "見積もり依頼" }));
    ids.inbox = info.id;
    ids.conversation = delivered.conversationId as number;
    ids.message = delivered.messageId;
    ids.comment = (
      await addComment(ctx, { conversationId: ids.conversation, userId: a.id, body: "確認します" })
    ).id;
    ids.template = (
      await createTemplate(ctx, a.id, { inboxId: info.id, name: "お礼", body: "ありがとう" })
    ).id;
    ids.seq = (await getConversation(ctx, ids.conversation, a.id)).lastSeq;
    carol = await agent(server, "carol");
    alice = await agent(server, "alice");
  });
  afterAll(() => server?.close());

  it("refuses a non-member every procedure that takes an inbox or conversation id", async () => {
    const t = carol.trpc;
    const c = ids.conversation;
    const calls: [string, () => Promise<unknown>][] = [
      ["inbox.members", () => t.inbox.members.query({ inboxId: ids.inbox })],
      ["conversation.list", () => t.conversation.list.query({ inboxId: ids.inbox })],
      ["conversation.get", () => t.conversation.get.query({ conversationId: c })],
      [
        "conversation.setStatus",
        () => t.conversation.setStatus.mutate({ conversationId: c, status: "done" }),
      ],
      ["conversation.assign", () => t.conversation.assign.mutate({ conversationId: c, assigneeId: null })],
      ["conversation.markRead", () => t.conversation.markRead.mutate({ conversationId: c })],
      ["comment.add", () => t.comment.add.mutate({ conversationId: c, body: "覗き見" })],
      ["comment.edit", () => t.comment.edit.mutate({ conversationId: c, commentId: ids.comment, body: "x" })],
      ["comment.delete", () => t.comment.delete.mutate({ conversationId: c, commentId: ids.comment })],
      ["reply.claim", () => t.reply.claim.mutate({ conversationId: c })],
      ["reply.release", () => t.reply.release.mutate({ conversationId: c })],
      [
        "reply.send",
        () =>
          t.reply.send.mutate({
            conversationId: c,
            basedOnSeq: ids.seq,
            to: [{ address: "taro@customer.example" }],
            subject: "Re: 見積もり依頼",
            bodyText: "横から失礼します",
          }),
      ],
      [
        "draft.save",
        () => t.draft.save.mutate({ conversationId: c, basedOnSeq: 0, content: { bodyText: "x" } }),
      ],
      ["draft.get", () => t.draft.get.query({ conversationId: c })],
      ["draft.discard", () => t.draft.discard.mutate({ conversationId: c })],
      ["template.list", () => t.template.list.query({ inboxId: ids.inbox })],
      ["template.create", () => t.template.create.mutate({ inboxId: ids.inbox, name: "x", body: "x" })],
      ["template.update", () => t.template.update.mutate({ templateId: ids.template, name: "x", body: "x" })],
      ["template.delete", () => t.template.delete.mutate({ templateId: ids.template })],
      ["template.render", () => t.template.render.query({ templateId: ids.template, conversationId: c })],
      ["changes.since", () => t.changes.since.query({ inboxId: ids.inbox, afterSeq: 0 })],
    ];
    for (const [name, call] of calls) {
      const data = await expectTrpcError(call, "FORBIDDEN").catch((err: Error) => {
        throw new Error(`${name}: ${err.message}`);
      });
      expect(data.messageKey, name).toBe("error.forbidden");
    }
    // Nothing moved: the conversation is as it was.
    const view = await alice.trpc.conversation.get.query({ conversationId: c });
    expect(view.conversation.status).toBe("open");
    expect(view.comments.map((x) => x.body)).toEqual(["確認します"]);
    expect((await alice.trpc.template.list.query({ inboxId: ids.inbox })).templates).toHaveLength(1);
  });

  it("answers NOT_FOUND for ids that do not exist, the same for members", async () => {
    await expectTrpcError(() => alice.trpc.conversation.get.query({ conversationId: 999_999 }), "NOT_FOUND");
    await expectTrpcError(
      () => alice.trpc.changes.since.query({ inboxId: 999_999, afterSeq: 0 }),
      "FORBIDDEN",
    );
  });

  it("serves attachments and inbox lists only to members", async () => {
    const res = await fetch(`${server.url}/api/attachments/${ids.message}/0`, {
      headers: { cookie: carol.cookie },
    });
    expect([403, 404]).toContain(res.status);
    const anon = await fetch(`${server.url}/api/attachments/${ids.message}/0`);
    expect(anon.status).toBe(401);
    const carolInboxes = await carol.trpc.inbox.list.query();
    expect(carolInboxes.inboxes.map((i) => i.address)).toEqual(["carol@example.co.jp"]);
  });

  it("keeps administration to administrators", async () => {
    await expectTrpcError(() => alice.trpc.admin.users.list.query(), "FORBIDDEN");
    await expectTrpcError(
      () => alice.trpc.admin.users.create.mutate({ email: "eve@example.co.jp", name: "Eve" }),
      "FORBIDDEN",
    );
    await expectTrpcError(
      () => alice.trpc.admin.inboxes.changeMembers.mutate({ inboxId: ids.inbox, add: [3] }),
      "FORBIDDEN",
    );
    await expectTrpcError(
      () =>
        alice.trpc.admin.inboxes.changeAliases.mutate({ inboxId: ids.inbox, add: ["evil@example.co.jp"] }),
      "FORBIDDEN",
    );
    await expectTrpcError(() => alice.trpc.admin.domains.add.mutate({ name: "evil.example" }), "FORBIDDEN");
    await expectTrpcError(() => alice.trpc.admin.domains.dns.query({ name: "example.co.jp" }), "FORBIDDEN");
    await expectTrpcError(
      () => alice.trpc.admin.domains.checkDns.query({ name: "example.co.jp" }),
      "FORBIDDEN",
    );
    await expectTrpcError(() => alice.trpc.admin.queue.list.query(), "FORBIDDEN");
    await expectTrpcError(() => alice.trpc.admin.queue.retry.mutate({ ids: "all" }), "FORBIDDEN");
    await expectTrpcError(
      () => alice.trpc.admin.queue.list.query({ domain: "customer.example" }),
      "FORBIDDEN",
    );
    await expectTrpcError(
      () => alice.trpc.admin.queue.retry.mutate({ ids: { domain: "customer.example" } }),
      "FORBIDDEN",
    );
    await expectTrpcError(() => alice.trpc.admin.queue.cancel.mutate({ ids: [1] }), "FORBIDDEN");
    const anonymous = new TestClient(server.url);
    await expectTrpcError(() => anonymous.trpc.admin.users.list.query(), "UNAUTHORIZED");
    await expectTrpcError(() => anonymous.trpc.inbox.list.query(), "UNAUTHORIZED");
  });
});
