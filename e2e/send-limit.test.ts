import { outboundMessages } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { findInboxByAddress } from "../packages/core/src";
import { screenshot } from "./support/browser";
import { rawMail } from "./support/mail";
import { outboundWhere } from "./support/outbound";
import { ADMIN_EMAIL, chromiumDesk } from "./support/team";

const WAIT = 10_000;

/** 返信 with `text`, 送信, the confirmation ticked and confirmed. */
async function reply(page: Page, text: string): Promise<void> {
  await page.getByTestId("reply-button").click({ timeout: WAIT });
  await page.getByTestId("compose-body").fill(text);
  await page.getByTestId("compose-send").click();
  await page.getByTestId("send-confirm").getByRole("checkbox").check({ timeout: WAIT });
  await page.getByTestId("confirm-send").click();
}

describe("sending limit in Chromium", () => {
  // One recipient at another server per hour, so that the second reply meets the limit.
  const desk = chromiumDesk({
    agent: { email: "sato@example.co.jp", name: "佐藤" },
    inbox: { address: "sales@example.co.jp", name: "営業窓口", settings: { undoSendSeconds: 0 } },
    mail: () =>
      rawMail({
        from: { name: "鈴木 一郎", address: "suzuki@customer.example" },
        to: "sales@example.co.jp",
        subject: "納期の確認",
        messageId: "deadline-1@customer.example",
        text: "納期を教えてください。",
      }),
    serverEnv: async () => ({ MADOGUCHI_SEND_LIMIT_PER_HOUR: "1" }),
  });
  const outbound = () =>
    outboundWhere(desk.team.ctx.db, eq(outboundMessages.conversationId, desk.conversationId));

  let admin: Page;

  it("a reply past the limit is not sent: the composer says why and keeps the text", async () => {
    admin = await desk.team.openAdmin();
    await desk.page.goto(desk.conversationUrl);
    await reply(desk.page, "鈴木様\n\n納期は来週金曜日です。");
    await expect
      .poll(() => desk.page.locator("[data-testid=message].outbound").count(), { timeout: WAIT })
      .toBe(1);
    await reply(desk.page, "鈴木様\n\n追伸: 送料は無料です。");
    await desk.page
      .getByRole("alert")
      .getByText(
        "送信できませんでした: 1時間に送信できる社外の宛先数の上限に達しました。しばらくしてから送信してください（上限は管理者が変更できます）。",
      )
      .waitFor({ timeout: WAIT });
    await expect(desk.page.getByTestId("compose-body").inputValue()).resolves.toContain(
      "追伸: 送料は無料です。",
    );
    await screenshot(desk.page, "send-limit-01-refused");
    // Only the first reply was queued, and only its Sent copy is in the conversation.
    expect((await outbound()).messages.map((m) => m.subject)).toEqual(["Re: 納期の確認"]);
    await desk.page.reload();
    await expect
      .poll(() => desk.page.locator("[data-testid=message].outbound").count(), { timeout: WAIT })
      .toBe(1);
  });

  it("the administrator finds who reached the limit, and what to do, in their own inbox", async () => {
    const own = await findInboxByAddress(desk.team.ctx.db, ADMIN_EMAIL);
    await admin.goto(`${desk.team.srv.baseUrl}/#/inbox/${own?.id}`);
    await admin
      .getByTestId("conversation-row")
      .getByText("送信上限に達しました: sato@example.co.jp / Sending limit reached")
      .click({ timeout: WAIT });
    // In the message (the list row's snippet starts with the same sentence).
    const message = admin.getByTestId("message");
    await message
      .getByText("佐藤 <sato@example.co.jp> さんが送信上限に達しました。")
      .waitFor({ timeout: WAIT });
    await message
      .getByText("管理 → ユーザー で「無効にする」か「パスワード再発行」をしてください。")
      .waitFor();
    await screenshot(admin, "send-limit-02-admin-told");
  });

  it("raised no uncaught errors in the page", () => {
    expect(desk.team.pageErrors).toEqual([]);
  });
});
