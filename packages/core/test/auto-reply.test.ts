import { autoReplies, messages, outboundMessages, outboundQueue } from "@madoguchi/db/schema";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { tryRecordReply } from "../src/conversations/reply-guard";
import { deliver } from "../src/deliver/deliver";
import { changeInboxAliases } from "../src/directory/aliases";
import { isAppError } from "../src/errors";
import { AUTO_REPLY_REPEAT_MS, sendDueAutoReplies } from "../src/outbound/auto-reply";
import { conversationActivity } from "../src/web/activity";
import { adminUpdateInbox } from "../src/web/admin";
import { addAdmin, conversationRow, type MailSpec, mail, useTeamEnv } from "./fixtures";
import { drivers } from "./harness";

const SENDER = { hostname: "mail.example.co.jp" };
const ACK = "お問い合わせありがとうございます。\n担当者より1営業日以内にご連絡いたします。";

describe.each(drivers)("自動返信 on %s", (driver) => {
  const t = useTeamEnv(driver);
  let clock = new Date("2026-11-30T10:00:00+09:00");

  /** A customer's mail over the MX from `from` (header and MAIL FROM): the conversation it lands in. */
  async function inquiry(key: string, from: string, spec: MailSpec = {}, mailFrom: string | null = from) {
    const delivered = await deliver(
      { ...t.env.ctx, now: () => clock },
      t.team.info.id,
      mail({ messageId: `${key}@customer.example`, subject: `件名 ${key}`, from: `客 <${from}>`, ...spec }),
      { mailFrom, rcptTo: ["info@example.co.jp"] },
    );
    if (delivered.conversationId === null) throw new Error("no conversation");
    return delivered.conversationId;
  }

  let adminId = 0;
  beforeAll(async () => {
    adminId = (await addAdmin(t.env.ctx)).id;
  });

  const switchOn = (on = true) =>
    adminUpdateInbox(t.env.ctx, adminId, {
      inboxId: t.team.info.id,
      settings: { autoReply: { enabled: on, subject: "", body: ACK } },
    });

  const rowOf = async (conversationId: number) =>
    (await t.env.ctx.db.select().from(autoReplies).where(eq(autoReplies.conversationId, conversationId)))[0];
  const sentFor = async (conversationId: number) =>
    t.env.ctx.db.select().from(outboundMessages).where(eq(outboundMessages.conversationId, conversationId));
  const activityOf = async (conversationId: number) =>
    (await conversationActivity(t.env.ctx, await conversationRow(t.env.ctx, conversationId))).filter(
      (a) => a.kind === "auto_reply",
    );
  const send = () => sendDueAutoReplies({ ...t.env.ctx, now: () => clock }, SENDER);

  it("acknowledges a new inquiry once, as the inbox, threaded and marked; it stays 未対応 and unanswered", async () => {
    await switchOn();
    const id = await inquiry("first", "taro@customer.example");
    expect(await rowOf(id)).toMatchObject({ state: "pending", mailFrom: "taro@customer.example" });
    // What an agent sees before the 自動返信 goes.
    const seenBefore = (await conversationRow(t.env.ctx, id)).lastSeq;
    expect(await send()).toBe(1);

    const [out] = await sentFor(id);
    expect(out).toMatchObject({
      senderUserId: null,
      mailFrom: "info@example.co.jp",
      subject: "Re: 件名 first",
    });
    expect(out?.releasedAt).not.toBeNull();
    const queue = await t.env.ctx.db
      .select()
      .from(outboundQueue)
      .where(eq(outboundQueue.outboundMessageId, out?.id ?? -1));
    expect(queue).toMatchObject([
      { domain: "customer.example", recipients: ["taro@customer.example"], state: "queued" },
    ]);
    const raw = (await t.env.ctx.blobs.get(out?.blobHash ?? "")).toString();
    expect(raw).toMatch(/^Auto-Submitted: auto-replied\r$/m);
    expect(raw).toMatch(/^In-Reply-To: <first@customer\.example>\r$/m);
    expect(raw).toMatch(/^To: .*<?taro@customer\.example>?\r$/m);
    expect(raw).toMatch(/^From: .*<info@example\.co\.jp>\r$/m);
    expect(Buffer.from(raw.split("\r\n\r\n")[1] ?? "", "base64").toString()).toContain(
      "担当者より1営業日以内に",
    );

    // Its copy is in the conversation, which is still the team's to answer.
    const inConversation = await t.env.ctx.db.select().from(messages).where(eq(messages.conversationId, id));
    expect(inConversation.map((m) => m.direction).sort()).toEqual(["inbound", "outbound"]);
    expect(inConversation.find((m) => m.direction === "inbound")?.flags).not.toContain("\\Answered");
    expect((await conversationRow(t.env.ctx, id)).status).toBe("open");
    expect(await activityOf(id)).toMatchObject([{ to: "taro@customer.example", skipped: null, actor: null }]);
    // Not the team's reply: an agent answering from the view before it is not refused.
    const guard = await tryRecordReply(t.env.ctx, {
      conversationId: id,
      userId: t.team.alice.id,
      basedOnSeq: seenBefore,
    });
    expect(guard.sent).toBe(true);

    // Nothing twice: not on the next pass, not for the customer's follow-up in the conversation.
    expect(await send()).toBe(0);
    await inquiry("first-2", "taro@customer.example", {
      inReplyTo: "first@customer.example",
      subject: "Re: 件名 first",
    });
    expect(await send()).toBe(0);
    expect(await sentFor(id)).toHaveLength(1);
  });

  it("answers from the address the customer wrote to: an alias as well as the main address", async () => {
    await changeInboxAliases(t.env.ctx, t.team.info.id, { add: ["otoiawase@example.co.jp"] });
    const id = await inquiry("alias", "hanako@alias.example", { to: "otoiawase@example.co.jp" });
    await send();
    const [out] = await sentFor(id);
    expect(out?.mailFrom).toBe("otoiawase@example.co.jp");
    const raw = (await t.env.ctx.blobs.get(out?.blobHash ?? "")).toString();
    expect(raw).toMatch(/^From: .*<otoiawase@example\.co\.jp>\r$/m);
  });

  it("sends the same message once even when a pass is repeated after a crash", async () => {
    const id = await inquiry("crash", "hanako@other.example");
    await t.env.ctx.db
      .update(autoReplies)
      .set({ state: "pending" })
      .where(eq(autoReplies.conversationId, id));
    expect(await send()).toBe(1);
    // As if the process died after sending and before the row was marked: the next one resumes.
    await t.env.ctx.db
      .update(autoReplies)
      .set({ state: "pending", doneAt: null, claimedUntil: null })
      .where(eq(autoReplies.conversationId, id));
    await send();
    expect(await sentFor(id)).toHaveLength(1);
    const copies = await t.env.ctx.db
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, id), eq(messages.direction, "outbound")));
    expect(copies).toHaveLength(1);
  });

  it("answers an address once an hour at most", async () => {
    const first = await inquiry("hour-1", "jiro@customer.example");
    const second = await inquiry("hour-2", "jiro@customer.example");
    await send();
    expect((await rowOf(first))?.state).toBe("sent");
    expect(await rowOf(second)).toMatchObject({ state: "skipped", reason: "recently_replied" });
    expect(await activityOf(second)).toMatchObject([{ to: null, skipped: "recently_replied" }]);
    clock = new Date(clock.getTime() + AUTO_REPLY_REPEAT_MS + 60_000);
    const third = await inquiry("hour-3", "jiro@customer.example");
    await send();
    expect((await rowOf(third))?.state).toBe("sent");
  });

  it("does not answer lists, machines, no-reply addresses, our own addresses or forged senders, and says why", async () => {
    const cases: [string, MailSpec, string, Record<string, unknown>?][] = [
      ["list", { headers: ["List-Id: お知らせ <news.customer.example>"] }, "list"],
      ["bulk", { headers: ["Precedence: bulk"] }, "automated"],
      ["auto", { headers: ["Auto-Submitted: auto-generated"] }, "automated"],
      ["oof", { headers: ["X-Auto-Response-Suppress: OOF, AutoReply"] }, "automated"],
      ["noreply", { from: "お知らせ <no-reply@shop.example>" }, "no_reply_address"],
      ["local", { from: "佐藤 愛 <alice@example.co.jp>" }, "local_sender"],
      ["forged", {}, "auth_failed", { spf: "fail", dkim: "none", dmarc: "fail" }],
    ];
    const ids: number[] = [];
    for (const [key, spec, , authResults] of cases) {
      const delivered = await deliver(
        t.env.ctx,
        t.team.info.id,
        mail({
          messageId: `${key}@customer.example`,
          subject: `件名 ${key}`,
          from: `客 <${key}@customer${key}.example>`,
          ...spec,
        }),
        {
          mailFrom: `${key}@sender.example`,
          rcptTo: ["info@example.co.jp"],
          ...(authResults ? { authResults } : {}),
        },
      );
      ids.push(delivered.conversationId ?? -1);
    }
    await send();
    for (const [i, [, , reason]] of cases.entries()) {
      expect(await rowOf(ids[i] ?? -1), cases[i]?.[0]).toMatchObject({ state: "skipped", reason });
      expect(await sentFor(ids[i] ?? -1)).toEqual([]);
    }
    // A person's mail with "Auto-Submitted: no" is answered.
    const person = await inquiry("person", "person@customer.example", { headers: ["Auto-Submitted: no"] });
    await send();
    expect((await rowOf(person))?.state).toBe("sent");
  });

  it("records nothing for a bounce or for mail that did not come over SMTP, nor once switched off", async () => {
    const bounce = await inquiry("bounce", "mailer-daemon@customer.example", {}, null);
    const appended = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ messageId: "appended@customer.example" }),
    );
    expect(await rowOf(bounce)).toBeUndefined();
    expect(await rowOf(appended.conversationId ?? -1)).toBeUndefined();

    const pending = await inquiry("off-later", "saburo@customer.example");
    await switchOn(false);
    const off = await inquiry("off", "shiro@customer.example");
    expect(await rowOf(off)).toBeUndefined();
    await send();
    expect(await rowOf(pending)).toMatchObject({ state: "skipped", reason: "disabled" });
  });

  it("goes on with the others when one cannot be sent, and tries that one again later", async () => {
    await switchOn();
    const broken = await inquiry("broken", "goro@customer.example");
    const fine = await inquiry("fine", "rokuro@customer.example");
    // Its stored bytes are gone (a disk restored from an old backup, say).
    await t.env.ctx.db
      .update(messages)
      .set({ blobHash: "0".repeat(64) })
      .where(eq(messages.conversationId, broken));
    const errors: unknown[] = [];
    await sendDueAutoReplies(
      { ...t.env.ctx, now: () => clock },
      { ...SENDER, onError: (e) => errors.push(e) },
    );
    expect(errors).toHaveLength(1);
    expect((await rowOf(broken))?.state).toBe("pending");
    expect((await rowOf(fine))?.state).toBe("sent");
  });

  it("営業時間外のみ: answers what arrives outside the hours, and leaves the rest without a word", async () => {
    const hours = { days: [1, 2, 3, 4, 5], start: "09:00", end: "18:00", timeZone: "Asia/Tokyo" };
    await adminUpdateInbox(t.env.ctx, adminId, {
      inboxId: t.team.info.id,
      settings: { autoReply: { enabled: true, subject: "", body: ACK, outsideHours: hours } },
    });
    const at = async (when: string, key: string) => {
      clock = new Date(when);
      const id = await inquiry(key, `${key}@customer.example`);
      await send();
      return id;
    };
    const monday = await at("2026-11-30T10:00:00+09:00", "monday-morning");
    expect(await rowOf(monday)).toMatchObject({ state: "skipped", reason: "business_hours" });
    expect(await activityOf(monday)).toEqual([]);
    expect((await rowOf(await at("2026-11-30T08:59:00+09:00", "monday-early")))?.state).toBe("sent");
    expect((await rowOf(await at("2026-11-30T18:00:00+09:00", "monday-evening")))?.state).toBe("sent");
    expect((await rowOf(await at("2026-12-05T10:00:00+09:00", "saturday")))?.state).toBe("sent");
    // 17:59 in Tokyo is 08:59 UTC: the zone, not the server's clock, decides.
    expect((await rowOf(await at("2026-12-01T08:59:00Z", "tuesday-late")))?.state).toBe("skipped");
    // 勤労感謝の日 (a Monday) is a working day unless holidays are days off.
    expect((await rowOf(await at("2026-11-23T10:00:00+09:00", "holiday-worked")))?.state).toBe("skipped");
    await adminUpdateInbox(t.env.ctx, adminId, {
      inboxId: t.team.info.id,
      settings: {
        autoReply: { enabled: true, subject: "", body: ACK, outsideHours: { ...hours, holidaysOff: true } },
      },
    });
    expect((await rowOf(await at("2026-11-23T10:00:00+09:00", "holiday-off")))?.state).toBe("sent");
    expect((await rowOf(await at("2026-11-24T10:00:00+09:00", "day-after")))?.state).toBe("skipped");
    // 年末年始: the company's own days off, both ends included.
    const closed = [{ from: "2026-12-29", to: "2027-01-03" }];
    await adminUpdateInbox(t.env.ctx, adminId, {
      inboxId: t.team.info.id,
      settings: { autoReply: { enabled: true, subject: "", body: ACK, outsideHours: { ...hours, closed } } },
    });
    expect((await rowOf(await at("2026-12-29T10:00:00+09:00", "closed-first")))?.state).toBe("sent");
    expect((await rowOf(await at("2027-01-01T12:00:00+09:00", "closed-new-year")))?.state).toBe("sent");
    expect((await rowOf(await at("2027-01-04T10:00:00+09:00", "open-again")))?.state).toBe("skipped");

    for (const bad of [
      { ...hours, days: [] },
      { ...hours, start: "18:00", end: "09:00" },
      { ...hours, start: "9時" },
      { ...hours, timeZone: "Mars/Olympus" },
      { ...hours, closed: [{ from: "2027-01-03", to: "2026-12-29" }] },
      { ...hours, closed: [{ from: "2026-02-30", to: "2026-03-01" }] },
      { ...hours, closed: [{ from: "2026-13-01", to: "2026-13-02" }] },
    ]) {
      const err = await adminUpdateInbox(t.env.ctx, adminId, {
        inboxId: t.team.info.id,
        settings: { autoReply: { enabled: true, subject: "", body: ACK, outsideHours: bad } },
      }).catch((e) => e);
      expect(err.details?.reason, JSON.stringify(bad)).toBe("auto_reply_hours");
    }
  });

  it("refuses switching it on without a text", async () => {
    const err = await adminUpdateInbox(
      t.env.ctx,
      (await t.env.ctx.db.query.users.findFirst({ where: (u, { eq }) => eq(u.isAdmin, true) }))?.id ?? -1,
      {
        inboxId: t.team.info.id,
        settings: { autoReply: { enabled: true, subject: "", body: "  \n" } },
      },
    ).catch((e) => e);
    expect(isAppError(err, "INVALID_INPUT")).toBe(true);
    expect(err.details.reason).toBe("auto_reply_no_body");
  });
});
