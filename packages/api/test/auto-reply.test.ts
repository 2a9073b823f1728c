import { deliver } from "@madoguchi/core";
import { outboundMessages } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { addAdmin, mail } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { expectTrpcError, TestClient, useTeamServer } from "./support";

const ACK = "お問い合わせありがとうございます。担当者より改めてご連絡いたします。";

describe.each(drivers)("自動返信 over the API (%s)", (driver) => {
  // The auto-replier looks every 100 ms here (2 s in a server).
  const t = useTeamServer(driver, { autoReplyTickMs: 100 });
  let admin: TestClient;

  beforeAll(async () => {
    await addAdmin(t.state.env.ctx);
    admin = new TestClient(t.server.url);
    await admin.login("kanri@example.co.jp", "correct horse 9");
  });

  /** A customer's mail over the MX; its conversation. */
  const inquiry = async (key: string, from: string) =>
    (
      await deliver(
        t.state.env.ctx,
        t.state.team.info.id,
        mail({ subject: `件名 ${key}`, messageId: `${key}-${driver}@customer.example`, from }),
        { mailFrom: from.replace(/.*<|>.*/g, ""), rcptTo: ["info@example.co.jp"] },
      )
    ).conversationId as number;

  it("an administrator switches it on; a new inquiry is answered as the inbox, and the team sees it in the conversation", async () => {
    const saved = await admin.trpc.admin.inboxes.update.mutate({
      inboxId: t.state.team.info.id,
      settings: { autoReply: { enabled: true, subject: "【自動返信】受け付けました", body: ACK } },
    });
    expect(saved.settings.autoReply).toEqual({
      enabled: true,
      subject: "【自動返信】受け付けました",
      body: ACK,
    });

    const id = await inquiry("ack", "山田 太郎 <taro@customer.example>");
    await expect
      .poll(
        async () =>
          (await t.alice.trpc.conversation.get.query({ conversationId: id })).activity.map((a) => a.kind),
        {
          timeout: 5000,
        },
      )
      .toContain("auto_reply");
    const view = await t.alice.trpc.conversation.get.query({ conversationId: id });
    expect(view.activity.find((a) => a.kind === "auto_reply")).toMatchObject({
      actor: null,
      to: "taro@customer.example",
      skipped: null,
    });
    expect(view.conversation.status).toBe("open");
    const out = view.messages.find((m) => m.direction === "outbound");
    expect(out).toMatchObject({ subject: "【自動返信】受け付けました", autoReply: true });
    expect(view.messages.find((m) => m.direction === "inbound")?.autoReply).toBe(false);
    // The list shows what the customer wrote, not the acknowledgement every new row would share.
    const list = await t.bob.trpc.conversation.list.query({ inboxId: t.state.team.info.id });
    expect(list.rows.find((r) => r.id === id)?.snippet).toContain("請求書の件");
    const [queued] = await t.state.env.ctx.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.conversationId, id));
    expect(queued).toMatchObject({ senderUserId: null, subject: "【自動返信】受け付けました" });
  });

  it("says in the activity why a no-reply address got none, and refuses switching it on with no text", async () => {
    const id = await inquiry("noreply", "お知らせ <noreply@shop.example>");
    await expect
      .poll(async () => (await t.bob.trpc.conversation.get.query({ conversationId: id })).activity.at(-1), {
        timeout: 5000,
      })
      .toMatchObject({ kind: "auto_reply", to: null, skipped: "no_reply_address" });

    const err = await expectTrpcError(
      () =>
        admin.trpc.admin.inboxes.update.mutate({
          inboxId: t.state.team.info.id,
          settings: { autoReply: { enabled: true, subject: "", body: " " } },
        }),
      "BAD_REQUEST",
    );
    expect(err.messageKey).toBe("error.autoReplyNoBody");
    expect(err.userMessage.ja).toBe("自動返信の本文を入力してください。");
    // Members are not administrators: they cannot change it.
    await expectTrpcError(
      () =>
        t.alice.trpc.admin.inboxes.update.mutate({
          inboxId: t.state.team.info.id,
          settings: { autoReply: { enabled: false, subject: "", body: "" } },
        }),
      "FORBIDDEN",
    );
  });
});
