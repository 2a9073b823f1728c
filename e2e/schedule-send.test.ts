import { deliver } from "@madoguchi/core";
import { outboundMessages } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { localInput, screenshot } from "./support/browser";
import { rawMail } from "./support/mail";
import { outboundWhere } from "./support/outbound";
import { chromiumTeam, DESKTOP, TANAKA_AND_SATO } from "./support/team";

// 送信予約 in Chromium, as yaritori and Re:lation offer it: a reply written in the evening goes
// out the next morning. The server holds it like an undoable send (its queue rows wait until
// then), the author can take it back until it goes, even after a reload, and teammates see that
// a reply is on its way.
const WAIT = 10_000;

describe("web app in Chromium: 送信予約", () => {
  const team = chromiumTeam(TANAKA_AND_SATO);
  let page: Page;
  let conversationId = 0;
  const at = new Date(Date.now() + 3 * 60 * 60 * 1000);
  at.setSeconds(0, 0);

  beforeAll(async () => {
    conversationId =
      (
        await deliver(
          team.ctx,
          team.inboxIds[0] ?? 0,
          rawMail({
            from: { name: "山田 花子", address: "yamada@client.example" },
            to: "info@example.co.jp",
            subject: "見積もりの件",
            messageId: "quote-1@client.example",
            text: "見積もりをお願いします。",
          }),
        )
      ).conversationId ?? 0;
    page = await team.openPage(DESKTOP);
    await team.login(page, "tanaka@example.co.jp");
  }, 60_000);

  const conversationUrl = () => `${team.srv.baseUrl}/#/inbox/${team.inboxIds[0]}/c/${conversationId}`;
  const queued = () => outboundWhere(team.ctx.db, eq(outboundMessages.conversationId, conversationId));

  /** In the send confirmation: 送信予約 at `at`, the recipients ticked, confirmed. */
  const confirmScheduled = async (p: Page) => {
    const dialog = p.getByTestId("send-confirm");
    await dialog.getByTestId("schedule-toggle").click({ timeout: WAIT });
    await dialog.getByTestId("schedule-at").fill(localInput(at));
    await dialog.getByRole("checkbox").check();
    await p.getByTestId("confirm-send").click();
  };

  it("holds the reply until the chosen time, saying when it goes", async () => {
    await page.goto(conversationUrl());
    await page.getByTestId("reply-button").click({ timeout: WAIT });
    await page.getByTestId("compose-body").fill("山田様\n\n見積もりを添えてお送りします。");
    await page.getByTestId("compose-send").click();
    const dialog = page.getByTestId("send-confirm");
    await dialog.getByTestId("schedule-toggle").click({ timeout: WAIT });
    // Offered first: 9:00 on the next weekday.
    expect(await dialog.getByTestId("schedule-at").inputValue()).toMatch(/T09:00$/);
    // A time already past cannot be confirmed.
    await dialog.getByTestId("schedule-at").fill(localInput(new Date(Date.now() - 60 * 60 * 1000)));
    expect(await page.getByTestId("confirm-send").isDisabled()).toBe(true);
    await dialog.getByTestId("schedule-at").fill(localInput(at));
    await dialog.getByRole("checkbox").check();
    expect(await page.getByTestId("confirm-send").textContent()).toBe("予約する");
    await screenshot(page, "schedule-00-confirm");
    await page.getByTestId("confirm-send").click();
    await page.getByText(/に送信予約しています$/).waitFor({ timeout: WAIT });
    await screenshot(page, "schedule-01-held");
    const { messages, rows } = await queued();
    expect(messages.map((m) => m.subject)).toEqual(["Re: 見積もりの件"]);
    expect(rows.map((r) => [r.state, r.attempts])).toEqual([["queued", 0]]);
    // Held until exactly the time chosen, however long storing the send took.
    expect(rows[0]?.nextAttemptAt.getTime()).toBe(at.getTime());
  });

  it("shows teammates that a reply is on its way", async () => {
    const sato = await team.openPage(DESKTOP);
    await team.login(sato, "sato@example.co.jp");
    await sato.goto(conversationUrl());
    await expect
      .poll(() => sato.getByTestId("scheduled-line").textContent(), { timeout: WAIT })
      .toMatch(/^田中さんの返信が .+ に送信予約されています$/);
    // The reply's copy in the conversation is not called 送信済み before it goes.
    expect(await sato.getByTestId("scheduled-tag").textContent()).toMatch(/ に送信予定$/);
    await screenshot(sato, "schedule-02-teammate");
    // And in the list (its status is 対応済み now: under すべて).
    await sato.goto(`${team.srv.baseUrl}/#/inbox/${team.inboxIds[0]}?status=all`);
    await expect
      .poll(() => sato.getByTestId("row-scheduled").textContent(), { timeout: WAIT })
      .toMatch(/ 送信予約$/);
    await sato.getByTestId("filter-scheduled").check();
    await expect.poll(() => sato.url(), { timeout: WAIT }).toContain("sched=1");
    await expect
      .poll(() => sato.getByTestId("conversation-row").getAttribute("data-conversation-id"), {
        timeout: WAIT,
      })
      .toBe(String(conversationId));
  });

  it("can be taken back after a reload, the text coming back as the draft", async () => {
    await page.reload();
    await page.getByTestId("undo-send").click({ timeout: WAIT });
    await expect
      .poll(() => page.getByTestId("compose-body").inputValue(), { timeout: WAIT })
      .toContain("見積もりを添えてお送りします。");
    expect((await queued()).messages).toEqual([]);
  });

  it("is taken back when the customer writes before its time: the text is the draft again, the activity says why", async () => {
    await page.goto(conversationUrl());
    // The draft the test before took back is in the composer: schedule it again.
    await expect
      .poll(() => page.getByTestId("compose-body").inputValue(), { timeout: WAIT })
      .toContain("見積もりを添えてお送りします。");
    await page.getByTestId("compose-send").click();
    await confirmScheduled(page);
    await page.getByText(/に送信予約しています$/).waitFor({ timeout: WAIT });
    expect((await queued()).messages).toHaveLength(1);
    // The customer writes again, through the MX, before the time.
    expect(
      await team.receiveOverSmtp("info@example.co.jp", {
        from: { name: "山田 花子", address: "yamada@client.example" },
        to: "info@example.co.jp",
        subject: "Re: 見積もりの件",
        messageId: "quote-2@client.example",
        text: "数量を 20 に変更してください。",
      }),
    ).toMatch(/^250 /);
    // The delivery workers take the reply back: the author sees why, and the text to rework.
    await page
      .getByTestId("activity")
      .getByText("お客様から新しいメールが届いたため、田中の送信予約を取り消しました（下書きに戻しました）")
      .waitFor({ timeout: 20_000 });
    await expect
      .poll(() => page.getByTestId("send-taken-back").textContent(), { timeout: WAIT })
      .toBe(
        "お客様から新しいメールが届いたため、送信予約を取り消しました。内容を確認して送り直してください（下書きは残っています）。",
      );
    expect(await page.getByTestId("compose-body").inputValue()).toContain("見積もりを添えてお送りします。");
    expect(await page.getByText(/に送信予約しています$/).count()).toBe(0);
    await page
      .getByTestId("conversation")
      .getByText("数量を 20 に変更してください。")
      .waitFor({ timeout: WAIT });
    expect((await queued()).messages).toEqual([]);
    await screenshot(page, "schedule-03-overtaken");
  });

  it("schedules a new message too: the dialog closes at once and the conversation shows it held", async () => {
    await page.goto(`${team.srv.baseUrl}/#/inbox/${team.inboxIds[0]}`);
    await page.getByTestId("new-message-button").click({ timeout: WAIT });
    await page.getByTestId("new-to").fill("suzuki@client.example");
    await page.getByTestId("new-subject").fill("セミナーのご案内");
    await page.getByTestId("new-body").fill("鈴木様\n\n来月のセミナーのご案内です。");
    await page.getByTestId("new-send").click();
    await confirmScheduled(page);
    await page.getByText(/に送信予約しました。会話を開きます。$/).waitFor({ timeout: WAIT });
    expect(await page.getByTestId("new-message-dialog").count()).toBe(0);
    await page.getByRole("heading", { name: "セミナーのご案内" }).waitFor({ timeout: WAIT });
    await page.getByText(/に送信予約しています$/).waitFor({ timeout: WAIT });
  });

  it("raised no uncaught errors in the page", () => {
    expect(team.pageErrors).toEqual([]);
  });
});
