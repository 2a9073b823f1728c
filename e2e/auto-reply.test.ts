import { inboxes } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { screenshot } from "./support/browser";
import type { MailSpec } from "./support/mail";
import { chromiumTeam } from "./support/team";

// 自動返信 in Chromium, as yaritori, Re:lation and Help Scout offer it: the administrator turns
// on an acknowledgement for お問い合わせ (info@) in 管理 → 共有受信箱, and a customer's new
// inquiry over the MX is answered from the inbox at once. The team sees the answer in the
// conversation, which stays 未対応 for them; a mailing list's mail gets none, and the activity
// says why.
const WAIT = 15_000;
const SUBJECT = "【自動返信】お問い合わせを受け付けました";
const BODY = "お問い合わせありがとうございます。\n担当者より1営業日以内にご連絡いたします。";

describe("web app in Chromium: 自動返信", () => {
  const team = chromiumTeam({ agents: [], inboxes: [] });
  let admin: Page;

  beforeAll(async () => {
    admin = await team.openAdmin();
  }, 60_000);

  const settings = () => admin.getByTestId("auto-reply-settings");
  const openInboxSettings = async () => {
    await admin.getByRole("link", { name: "管理", exact: true }).click();
    await admin.getByRole("tab", { name: "共有受信箱", exact: true }).click();
    if (!(await settings().isVisible())) await admin.getByText("お問い合わせ", { exact: true }).click();
  };
  const customerWrites = async (mail: Omit<MailSpec, "to">) =>
    expect(await team.receiveOverSmtp("info@example.co.jp", { to: "info@example.co.jp", ...mail })).toMatch(
      /^250 /,
    );
  const openConversation = async (subject: string) => {
    await admin.getByRole("link", { name: "受信箱", exact: true }).click();
    await admin.getByText("info@example.co.jp", { exact: true }).click();
    await admin.getByTestId("conversation-row").getByText(subject, { exact: true }).click({ timeout: WAIT });
  };

  it("is switched on in the inbox's settings, refusing it without a text, and kept over a reload", async () => {
    await openInboxSettings();
    await settings().getByLabel("新しいお問い合わせに自動返信する").check();
    await admin.getByRole("button", { name: "保存", exact: true }).click();
    await admin.getByText("自動返信の本文を入力してください。").waitFor({ timeout: WAIT });

    await settings().getByLabel("件名").fill(SUBJECT);
    await settings().getByLabel("本文").fill(BODY);
    await admin.getByRole("button", { name: "保存", exact: true }).click();
    await admin.getByText("保存しました").waitFor({ timeout: WAIT });
    await screenshot(admin, "auto-reply-01-settings");

    await admin.reload();
    await openInboxSettings();
    expect(await settings().getByLabel("新しいお問い合わせに自動返信する").isChecked()).toBe(true);
    expect(await settings().getByLabel("件名").inputValue()).toBe(SUBJECT);
    expect(await settings().getByLabel("本文").inputValue()).toBe(BODY);

    // 営業時間外のみ: a working week to start from (月〜金 9:00-18:00, Tokyo), Saturday added.
    await settings().getByLabel("営業時間外に届いたお問い合わせにだけ送る").check();
    const hours = admin.getByTestId("business-hours");
    expect(await hours.getByLabel("開始").inputValue()).toBe("09:00");
    expect(await hours.getByLabel("終了").inputValue()).toBe("18:00");
    expect(await hours.getByLabel("祝日（振替休日を含む）は休み").isChecked()).toBe(true);
    await hours.getByLabel("土", { exact: true }).check();
    await hours.getByLabel("開始").fill("19:00");
    await admin.getByRole("button", { name: "保存", exact: true }).click();
    await admin
      .getByText(
        "営業時間は、曜日を1つ以上選び、開始を終了より前に、休業日は初日を最終日以前にしてください。",
      )
      .waitFor({ timeout: WAIT });
    await hours.getByLabel("開始").fill("10:00");
    // 年末年始休業: the company's own days off.
    await hours.getByRole("button", { name: "休業日を追加" }).click();
    await hours.getByLabel("休業の初日").fill("2026-12-29");
    await hours.getByLabel("休業の最終日").fill("2027-01-03");
    await admin.getByRole("button", { name: "保存", exact: true }).click();
    await admin.getByText("保存しました").waitFor({ timeout: WAIT });
    await screenshot(admin, "auto-reply-01-hours");
    await admin.reload();
    await openInboxSettings();
    expect(await hours.getByLabel("開始").inputValue()).toBe("10:00");
    expect(await hours.getByLabel("土", { exact: true }).isChecked()).toBe(true);
    expect(await hours.getByLabel("日", { exact: true }).isChecked()).toBe(false);
    expect(await hours.getByLabel("休業の初日").inputValue()).toBe("2026-12-29");
    expect(await hours.getByLabel("休業の最終日").inputValue()).toBe("2027-01-03");
    // Back to always, so the mail below is answered whatever the time of this run.
    await settings().getByLabel("営業時間外に届いたお問い合わせにだけ送る").uncheck();
    await admin.getByRole("button", { name: "保存", exact: true }).click();
    await expect
      .poll(
        async () =>
          (await team.ctx.db.select().from(inboxes).where(eq(inboxes.address, "info@example.co.jp")))[0]
            ?.settings.autoReply,
        { timeout: WAIT },
      )
      .toEqual({ enabled: true, subject: SUBJECT, body: BODY });
  });

  it("answers a customer's new inquiry from the inbox; the team sees it, and the conversation stays 未対応", async () => {
    await customerWrites({
      from: { name: "山田 太郎", address: "taro@customer.example" },
      subject: "見積もりのお願い",
      messageId: "auto-reply-quote@customer.example",
      text: "見積もりをお願いします。",
    });
    await openConversation("見積もりのお願い");
    const conversation = admin.getByTestId("conversation");
    await admin
      .getByTestId("activity")
      .getByText("taro@customer.example に自動返信を送信しました")
      .waitFor({ timeout: WAIT });
    await conversation.getByText("担当者より1営業日以内にご連絡いたします。").waitFor({ timeout: WAIT });
    // Tagged as what it is, not as a person's 送信済み reply.
    const answer = conversation
      .getByTestId("message")
      .filter({ hasText: "担当者より1営業日以内にご連絡いたします。" });
    expect(await answer.getByTestId("auto-reply-tag").textContent()).toBe("自動返信");
    expect(await admin.getByTestId("status-select").locator("option:checked").textContent()).toBe("未対応");
    await screenshot(admin, "auto-reply-02-answered");
  });

  it("gives a mailing list's mail none, and the activity says why", async () => {
    await customerWrites({
      from: { name: "業界ニュース", address: "news@lists.customer.example" },
      subject: "今週のニュース",
      messageId: "auto-reply-news@lists.customer.example",
      text: "今週のニュースです。",
      headers: ["List-Id: Industry news <news.lists.customer.example>"],
    });
    await openConversation("今週のニュース");
    await admin
      .getByTestId("activity")
      .getByText("自動返信は送りませんでした（メーリングリストからのメールのため）")
      .waitFor({ timeout: WAIT });
    expect(await admin.getByTestId("conversation").getByText("担当者より1営業日以内").count()).toBe(0);
  });
});
