import { conversations } from "@madoguchi/db/schema";
import { eq, sql } from "drizzle-orm";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { agentDates, localInput, screenshot, scrollWidth } from "./support/browser";
import { chromiumTeam, PHONE, TANAKA_AND_SATO } from "./support/team";

// スヌーズ in Chromium, as Front, Help Scout and yaritori offer it: an agent puts a conversation
// away until a time (保留 meanwhile, the time on its row for the team); at that time the server
// puts it back to 未対応 and tells whoever snoozed it, and its assignee. A customer writing
// meanwhile ends it early; 解除 ends it at once.
const WAIT = 10_000;
/** The server's waker looks for due スヌーズ every few seconds; realtime then brings the change. */
const WAKE = 20_000;
const HOUR = 60 * 60 * 1000;

describe("web app in Chromium: スヌーズ", () => {
  const team = chromiumTeam(TANAKA_AND_SATO);
  let tanaka: Page;
  let sato: Page;
  let id = 0;
  const subject = "納期のご確認";

  beforeAll(async () => {
    id = (await team.customerConversations("snooze", [subject]))[subject] ?? 0;
    tanaka = await team.openLoggedIn("tanaka@example.co.jp");
    sato = await team.openLoggedIn("sato@example.co.jp");
  }, 60_000);

  const inboxUrl = (path = "") => team.inboxUrl(path);
  const conversationUrl = () => inboxUrl(`/c/${id}`);
  const row = (p: Page) => p.locator(`[data-testid="conversation-row"][data-conversation-id="${id}"]`);
  const status = (p: Page) => p.getByTestId("status-select").inputValue();
  const activityLine = (p: Page, text: string, timeout = WAIT) =>
    p.getByTestId("activity").getByText(text).waitFor({ timeout });
  const snoozedUntil = async () =>
    (await team.ctx.db.select().from(conversations).where(eq(conversations.id, id)))[0]?.snoozedUntil ?? null;
  const openMenu = async (p: Page) => {
    await p.getByTestId("snooze-button").click({ timeout: WAIT });
    await p.getByTestId("snooze-menu").waitFor({ timeout: WAIT });
  };
  /** 「日時を指定…」 in the menu: the time typed in, 「スヌーズする」. */
  const snoozeAt = async (p: Page, at: Date) => {
    await openMenu(p);
    await p.getByTestId("snooze-custom").click();
    await p.getByTestId("snooze-at").fill(localInput(at));
    await p.getByTestId("snooze-submit").click();
  };

  it("snoozes until a chosen time: 保留, the bar and a toast, and the time on a teammate's row without a reload", async () => {
    // 佐藤 watches the list (すべて: the conversation stays in it when 保留); never reloaded.
    await sato.goto(inboxUrl("?status=all"));
    await row(sato).waitFor({ timeout: WAIT });
    expect(await row(sato).getByTestId("row-snoozed").count()).toBe(0);
    await sato.evaluate("window.__notReloaded = true");

    const at = new Date(Date.now() + 5 * HOUR);
    at.setSeconds(0, 0);
    const time = agentDates.dayTime(at);
    await tanaka.goto(conversationUrl());
    await snoozeAt(tanaka, at);
    await tanaka
      .getByTestId("toast-info")
      .filter({ hasText: `${time} までスヌーズしました` })
      .waitFor({ timeout: WAIT });
    await expect
      .poll(() => tanaka.getByTestId("snooze-text").textContent(), { timeout: WAIT })
      .toBe(`⏰ ${time} までスヌーズ中（田中）`);
    expect(await tanaka.getByTestId("snooze-menu").count()).toBe(0);
    await expect.poll(() => status(tanaka), { timeout: WAIT }).toBe("waiting");
    expect(await tanaka.getByTestId("status-select").locator("option:checked").textContent()).toBe("保留");
    await activityLine(tanaka, `田中が ${time} までスヌーズしました`);
    // Until exactly the minute chosen.
    expect((await snoozedUntil())?.getTime()).toBe(at.getTime());
    await screenshot(tanaka, "snooze-01-snoozed");

    await expect
      .poll(() => row(sato).getByTestId("row-snoozed").textContent(), { timeout: WAIT })
      .toBe(`⏰ ${time}`);
    expect(await row(sato).locator(".status-chip").textContent()).toBe("保留");
    expect(await sato.evaluate("window.__notReloaded")).toBe(true);
    await screenshot(sato, "snooze-02-teammate-row");
  });

  it("解除 puts it back to 未対応 at once, for the teammate too", async () => {
    await tanaka.getByTestId("snooze-cancel").click();
    await expect.poll(() => tanaka.getByTestId("snooze-bar").count(), { timeout: WAIT }).toBe(0);
    await expect.poll(() => status(tanaka), { timeout: WAIT }).toBe("open");
    await activityLine(tanaka, "田中がスヌーズを解除しました");
    expect(await snoozedUntil()).toBeNull();
    await expect.poll(() => row(sato).getByTestId("row-snoozed").count(), { timeout: WAIT }).toBe(0);
    expect(await row(sato).locator(".status-chip").textContent()).toBe("未対応");
    expect(await sato.evaluate("window.__notReloaded")).toBe(true);
  });

  it("wakes at its time: 未対応 again, said in the activity, and whoever snoozed it and the assignee are notified", async () => {
    await openMenu(tanaka);
    await tanaka.getByTestId("snooze-tomorrow").click();
    // 明日 9:00, in the browser's time as the 送信予約 picker has it.
    const tomorrow = new Date();
    tomorrow.setDate(tomorrow.getDate() + 1);
    tomorrow.setHours(9, 0, 0, 0);
    await expect
      .poll(() => tanaka.getByTestId("snooze-text").textContent(), { timeout: WAIT })
      .toBe(`⏰ ${agentDates.dayTime(tomorrow)} までスヌーズ中（田中）`);
    expect((await snoozedUntil())?.getTime()).toBe(tomorrow.getTime());
    // 佐藤 takes it over meanwhile: he is told too.
    await tanaka.getByTestId("assignee-select").selectOption({ label: "佐藤" });
    await activityLine(tanaka, "田中が佐藤さんに割り当てました");
    await tanaka.evaluate("window.__notReloaded = true");

    // The time passes.
    await team.ctx.db
      .update(conversations)
      .set({ snoozedUntil: sql`now() - interval '1 second'` })
      .where(eq(conversations.id, id));
    await tanaka
      .getByTestId("toast-notification")
      .filter({ hasText: `スヌーズの時間になりました: ${subject}` })
      .waitFor({ timeout: WAKE });
    await activityLine(tanaka, "スヌーズの時間になりました（未対応に戻しました）");
    await expect.poll(() => status(tanaka), { timeout: WAIT }).toBe("open");
    expect(await tanaka.getByTestId("snooze-bar").count()).toBe(0);
    expect(await snoozedUntil()).toBeNull();
    await expect
      .poll(() => tanaka.getByTestId("notification-count").textContent(), { timeout: WAIT })
      .toBe("1");
    await expect
      .poll(() => sato.getByTestId("notification-count").textContent(), { timeout: WAIT })
      .toBe("1");
    await expect
      .poll(() => row(sato).locator(".status-chip").textContent(), { timeout: WAIT })
      .toBe("未対応");
    expect(await tanaka.evaluate("window.__notReloaded")).toBe(true);
    await screenshot(tanaka, "snooze-03-woken");

    await tanaka.getByTestId("nav-notifications").click();
    const notification = tanaka.getByTestId("notification").first();
    await notification.waitFor({ timeout: WAIT });
    expect(await notification.locator("strong").textContent()).toBe("スヌーズの時間になりました");
    expect(await notification.locator(".subject").textContent()).toBe(subject);
    await screenshot(tanaka, "snooze-04-notifications");
    // Opening it marks it read and shows the conversation.
    await notification.locator("a").click();
    await tanaka.getByTestId("conversation").waitFor({ timeout: WAIT });
    await expect.poll(() => tanaka.getByTestId("notification-count").count(), { timeout: WAIT }).toBe(0);
  });

  it("ends when the customer writes before its time: 未対応, the bar gone, the activity saying why", async () => {
    await openMenu(tanaka);
    await tanaka.getByTestId("snooze-nextMonday").click();
    await tanaka.getByTestId("snooze-bar").waitFor({ timeout: WAIT });
    await expect.poll(() => status(tanaka), { timeout: WAIT }).toBe("waiting");
    expect(
      await team.receiveOverSmtp("info@example.co.jp", {
        from: { name: "お客様0", address: "c0@client.example" },
        to: "info@example.co.jp",
        subject: `Re: ${subject}`,
        messageId: "snooze-followup@client.example",
        text: "納品先の住所が変わりました。",
      }),
    ).toMatch(/^250 /);
    await activityLine(tanaka, "お客様から新しいメールが届いたため、スヌーズを解除しました", WAKE);
    await expect.poll(() => status(tanaka), { timeout: WAIT }).toBe("open");
    expect(await tanaka.getByTestId("snooze-bar").count()).toBe(0);
    await tanaka
      .getByTestId("conversation")
      .getByText("納品先の住所が変わりました。")
      .waitFor({ timeout: WAIT });
    expect(await snoozedUntil()).toBeNull();
    await screenshot(tanaka, "snooze-05-customer-wrote");
  });

  it("refuses a time already past, saying so, and changes nothing", async () => {
    const lines = await tanaka.getByTestId("activity").locator("li").count();
    await snoozeAt(tanaka, new Date(Date.now() - HOUR));
    await expect
      .poll(() => tanaka.getByTestId("snooze-error").textContent(), { timeout: WAIT })
      .toBe("スヌーズの時刻は今より後にしてください。");
    // The menu stays open, the time there to be corrected.
    expect(await tanaka.getByTestId("snooze-at").isVisible()).toBe(true);
    expect(await status(tanaka)).toBe("open");
    expect(await tanaka.getByTestId("snooze-bar").count()).toBe(0);
    expect(await tanaka.getByTestId("activity").locator("li").count()).toBe(lines);
    expect(await snoozedUntil()).toBeNull();
    await screenshot(tanaka, "snooze-06-past");
    await tanaka.keyboard.press("Escape");
    await expect.poll(() => tanaka.getByTestId("snooze-menu").count(), { timeout: WAIT }).toBe(0);
  });

  it("fits on a phone: the menu, the bar and the row's time", async () => {
    const phone = await team.openPage(PHONE);
    await team.login(phone, "tanaka@example.co.jp");
    await phone.goto(conversationUrl());
    await openMenu(phone);
    const inside = async (testId: string) => {
      const box = await phone.getByTestId(testId).boundingBox();
      return box !== null && box.x >= 0 && box.x + box.width <= 375;
    };
    expect(await inside("snooze-menu")).toBe(true);
    await phone.getByTestId("snooze-custom").click();
    expect(await inside("snooze-menu")).toBe(true);
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    await screenshot(phone, "snooze-07-phone-menu");

    const before = Date.now();
    await phone.getByTestId("snooze-in3Hours").click();
    await phone.getByTestId("snooze-bar").waitFor({ timeout: WAIT });
    const until = (await snoozedUntil())?.getTime() ?? 0;
    expect(until - before).toBeGreaterThanOrEqual(3 * HOUR);
    expect(until - Date.now()).toBeLessThanOrEqual(3 * HOUR);
    expect(await inside("snooze-bar")).toBe(true);
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    await screenshot(phone, "snooze-08-phone-bar");

    await phone.goto(inboxUrl("?status=waiting"));
    await row(phone).getByTestId("row-snoozed").waitFor({ timeout: WAIT });
    const rowBox = await row(phone).boundingBox();
    const tagBox = await row(phone).getByTestId("row-snoozed").boundingBox();
    expect((tagBox?.x ?? -1) + (tagBox?.width ?? 0)).toBeLessThanOrEqual(
      (rowBox?.x ?? 0) + (rowBox?.width ?? 0),
    );
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    await screenshot(phone, "snooze-09-phone-list");
  });

  it("raised no uncaught errors in the page", () => {
    expect(team.pageErrors).toEqual([]);
  });
});
