import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { screenshot, scrollWidth } from "./support/browser";
import { chromiumTeam, DESKTOP, PHONE, TANAKA_AND_SATO } from "./support/team";

// 一括操作 in Chromium: an agent ticks conversations in the list and sets their status, assignee,
// 迷惑メール or read state at once, as in yaritori or Re:lation; the list follows.
const WAIT = 10_000;

describe("web app in Chromium: 一括操作 on the conversation list", () => {
  const team = chromiumTeam(TANAKA_AND_SATO);
  let page: Page;
  const ids: Record<string, number> = {};
  const subjects = ["資料請求", "営業のご案内", "セミナーのお知らせ", "請求書の再発行"];

  beforeAll(async () => {
    Object.assign(ids, await team.customerConversations("bulk", subjects));
    page = await team.openPage(DESKTOP);
    await team.login(page, "tanaka@example.co.jp");
  }, 60_000);

  const rowIds = (p: Page) =>
    p
      .getByTestId("conversation-row")
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-conversation-id"))))
      .then((list) => list.sort((a, b) => a - b));
  const idsOf = (...names: string[]) => names.map((n) => ids[n] ?? 0).sort((a, b) => a - b);
  const tick = (p: Page, subject: string) =>
    p.getByTestId("conversation-row").filter({ hasText: subject }).click({ timeout: WAIT });

  it("sets the status of the ticked conversations: they leave 未対応, and nothing opened meanwhile", async () => {
    await page.goto(`${team.srv.baseUrl}/#/inbox/${team.inboxIds[0]}`);
    await expect.poll(() => rowIds(page), { timeout: WAIT }).toEqual(idsOf(...subjects));
    await page.getByTestId("select-mode").click();
    await tick(page, "営業のご案内");
    await tick(page, "セミナーのお知らせ");
    await tick(page, "資料請求");
    await tick(page, "資料請求"); // ticked off again
    expect(await page.getByTestId("bulk-count").textContent()).toBe("2件選択中");
    expect(page.url()).not.toContain("/c/");
    await screenshot(page, "bulk-01-ticked");
    await page.getByTestId("bulk-status").selectOption("done");
    await page.getByText("2件を変更しました。").waitFor({ timeout: WAIT });
    await expect.poll(() => rowIds(page), { timeout: WAIT }).toEqual(idsOf("資料請求", "請求書の再発行"));
    expect(await page.getByTestId("bulk-bar").count()).toBe(0);
    await page.getByTestId("tab-done").click();
    await expect
      .poll(() => rowIds(page), { timeout: WAIT })
      .toEqual(idsOf("営業のご案内", "セミナーのお知らせ"));
  });

  it("moves them all to 迷惑メール at once, and back", async () => {
    await page.getByTestId("select-mode").click();
    await page.getByTestId("bulk-all").check();
    expect(await page.getByTestId("bulk-count").textContent()).toBe("2件選択中");
    await page.getByTestId("bulk-junk").click();
    await expect.poll(() => rowIds(page), { timeout: WAIT }).toEqual([]);
    await expect
      .poll(() => page.getByTestId("tab-junk").textContent(), { timeout: WAIT })
      .toBe("迷惑メール2");
    await page.getByTestId("tab-junk").click();
    await expect
      .poll(() => rowIds(page), { timeout: WAIT })
      .toEqual(idsOf("営業のご案内", "セミナーのお知らせ"));
    await page.getByTestId("select-mode").click();
    await tick(page, "営業のご案内");
    expect(await page.getByTestId("bulk-junk").textContent()).toBe("迷惑メールではない");
    await page.getByTestId("bulk-junk").click();
    await expect.poll(() => rowIds(page), { timeout: WAIT }).toEqual(idsOf("セミナーのお知らせ"));
  });

  it("assigns the ticked conversations to a teammate, on a phone too", async () => {
    const phone = await team.openPage(PHONE);
    await team.login(phone, "tanaka@example.co.jp");
    await phone.goto(`${team.srv.baseUrl}/#/inbox/${team.inboxIds[0]}`);
    await expect.poll(() => rowIds(phone), { timeout: WAIT }).toEqual(idsOf("資料請求", "請求書の再発行"));
    await phone.getByTestId("select-mode").click();
    await phone.getByTestId("bulk-all").check();
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    await screenshot(phone, "bulk-02-phone");
    await phone.getByTestId("bulk-assignee").selectOption({ label: "佐藤" });
    await phone.getByText("2件を変更しました。").waitFor({ timeout: WAIT });
    await phone.getByTestId("conversation-row").first().waitFor();
    await expect
      .poll(() => phone.getByTestId("conversation-row").locator(".avatar[title='佐藤']").count(), {
        timeout: WAIT,
      })
      .toBe(2);
  });

  it("raised no uncaught errors in the page", () => {
    expect(team.pageErrors).toEqual([]);
  });
});
