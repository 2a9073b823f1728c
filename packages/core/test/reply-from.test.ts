import { outboundMessages } from "@madoguchi/db/schema";
import { parseMessage } from "@madoguchi/mail/parse";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import {
  addDomain,
  addressWrittenTo,
  changeInboxAliases,
  conversationView,
  deliver,
  getConversation,
  replyContext,
  type Sender,
  sendWebReply,
} from "../src";
import { mail, useTeamEnv } from "./fixtures";
import { drivers } from "./harness";

describe("the address a reply goes out from", () => {
  const aliases = ["otoiawase@example.co.jp", "info@example.jp"];

  it("is the main address when written to, else the first alias written to (To before Cc)", () => {
    const from = (...recipients: string[]) => addressWrittenTo("info@example.co.jp", aliases, recipients);
    expect(from("otoiawase@example.co.jp", "Info@Example.co.jp")).toBe("info@example.co.jp");
    expect(from("sato@client.co.jp", "INFO@EXAMPLE.JP", "otoiawase@example.co.jp")).toBe("info@example.jp");
    expect(from("list@client.co.jp")).toBe("info@example.co.jp");
  });
});

describe.each(drivers)("a web reply's sender on %s", (driver) => {
  const t = useTeamEnv(driver);

  beforeAll(async () => {
    await addDomain(t.env.ctx, "example.jp");
    await changeInboxAliases(t.env.ctx, t.team.info.id, {
      add: ["otoiawase@example.co.jp", "info@example.jp"],
    });
  });

  /** A customer's mail to the inbox (addressed as given), answered by alice from replyContext. */
  async function answer(subject: string, headers: { to: string; cc?: string }) {
    const { ctx } = t.env;
    const to = headers.cc ? `${headers.to}\r\nCc: ${headers.cc}` : headers.to;
    const d = await deliver(ctx, t.team.info.id, mail({ subject, to }));
    const conversationId = d.conversationId ?? -1;
    const context = await replyContext(ctx, t.team.alice.id, conversationId);
    const messageId = `reply-${conversationId}@example.co.jp`;
    const result = await sendWebReply(ctx, {
      userId: t.team.alice.id,
      conversationId,
      basedOnSeq: context.conversation.lastSeq,
      raw: replyBytes(context.from, subject, messageId, context.inReplyTo),
      messageIdHeader: messageId,
      subject: `Re: ${subject}`,
      mailFrom: context.from.address,
      recipients: ["taro@customer.example"],
      draft: { bodyText: "ご連絡ありがとうございます。" },
      heldUntil: null,
    });
    if (!result.sent) throw new Error("the reply was refused");
    const [queued] = await ctx.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.id, result.outboundId));
    if (!queued) throw new Error("nothing was queued");
    const header = (await parseMessage(await ctx.blobs.get(queued.blobHash))).from;
    const view = await conversationView(ctx, t.team.alice.id, conversationId);
    return { context, envelope: queued.mailFrom, header, shown: view.replyFrom };
  }

  it("is the alias the customer wrote to: From header and envelope, under the inbox's name", async () => {
    const r = await answer("見積もりのお願い", { to: "Otoiawase@Example.co.jp" });
    expect(r.context.from).toEqual({ name: "お問い合わせ", address: "otoiawase@example.co.jp" });
    expect(r.envelope).toBe("otoiawase@example.co.jp");
    expect(r.header).toEqual({ name: "お問い合わせ", address: "otoiawase@example.co.jp" });
    // The composer shows the same address the reply leaves from.
    expect(r.shown).toEqual(r.context.from);
  });

  it("is the main address when the customer wrote to it, even with an alias in Cc", async () => {
    const r = await answer("納期について", { to: "info@example.co.jp", cc: "info@example.jp" });
    expect(r.envelope).toBe("info@example.co.jp");
    expect(r.header?.address).toBe("info@example.co.jp");
    expect(r.shown.address).toBe("info@example.co.jp");
  });

  it("finds an alias in Cc, and falls back to the main address when none of ours was named", async () => {
    expect(
      (await answer("請求書の宛名", { to: "sato@customer.example", cc: "INFO@example.jp" })).envelope,
    ).toBe("info@example.jp");
    // Bcc'd or through a list: the inbox is in no header.
    expect((await answer("展示会のご案内", { to: "list@customer.example" })).envelope).toBe(
      "info@example.co.jp",
    );
  });

  it("follows the newest customer message of the conversation", async () => {
    const { ctx } = t.env;
    const subject = "返品の手続き";
    const first = await deliver(
      ctx,
      t.team.info.id,
      mail({ subject, to: "info@example.co.jp", messageId: "n1@customer.example" }),
    );
    await deliver(
      ctx,
      t.team.info.id,
      mail({
        subject: `Re: ${subject}`,
        to: "info@example.jp",
        messageId: "n2@customer.example",
        inReplyTo: "n1@customer.example",
      }),
    );
    const context = await replyContext(ctx, t.team.alice.id, first.conversationId ?? -1);
    expect(context.from.address).toBe("info@example.jp");
  });

  it("refuses a From that is not an address of the conversation's inbox, queueing nothing", async () => {
    const { ctx } = t.env;
    const d = await deliver(ctx, t.team.info.id, mail({ subject: "なりすまし" }));
    const conversationId = d.conversationId ?? -1;
    const conversation = await getConversation(ctx, conversationId, t.team.alice.id);
    const before = await ctx.db.select({ id: outboundMessages.id }).from(outboundMessages);
    // alice's own address: she may send as it, but not as this inbox's reply.
    const sender = { name: "お問い合わせ", address: "alice@example.co.jp" };
    const messageId = `forged-${conversationId}@example.co.jp`;
    await expect(
      sendWebReply(ctx, {
        userId: t.team.alice.id,
        conversationId,
        basedOnSeq: conversation.lastSeq,
        raw: replyBytes(sender, "なりすまし", messageId, null),
        messageIdHeader: messageId,
        subject: "Re: なりすまし",
        mailFrom: sender.address,
        recipients: ["taro@customer.example"],
        draft: { bodyText: "x" },
        heldUntil: null,
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await ctx.db.select({ id: outboundMessages.id }).from(outboundMessages)).toHaveLength(
      before.length,
    );
  });
});

/** The reply's bytes as the API composes them: From the sender replyContext chose. */
function replyBytes(from: Sender, subject: string, messageId: string, inReplyTo: string | null): Buffer {
  const name = `=?UTF-8?B?${Buffer.from(from.name).toString("base64")}?=`;
  return mail({
    from: `${name} <${from.address}>`,
    to: "taro@customer.example",
    subject: `Re: ${subject}`,
    messageId,
    ...(inReplyTo ? { inReplyTo } : {}),
    body: "ご連絡ありがとうございます。",
  });
}
