import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { screenshot, scrollWidth } from "./support/browser";
import { chromiumTeam, PHONE, TANAKA_AND_SATO } from "./support/team";

// ラベル in Chromium, as yaritori, Re:lation and Front offer them: an agent puts the inbox's own
// tags (請求, VIP) on conversations from a picker in the conversation, or on many at once from
// the list; the chips show in the view and the list (a teammate's too, live), and the list
// filters by one, the filter kept in the URL.
const WAIT = 10_000;

describe("web app in Chromium: ラベル", () => {
  const team = chromiumTeam(TANAKA_AND_SATO);
  let tanaka: Page;
  let sato: Page;
  const ids: Record<string, number> = {};
  const subjects = ["請求書の送付について", "資料のお問い合わせ", "打ち合わせ日程のご相談"];
  const [invoice = "", brochure = "", meeting = ""] = subjects;

  beforeAll(async () => {
    Object.assign(ids, await team.customerConversations("labels", subjects));
    tanaka = await team.openLoggedIn("tanaka@example.co.jp");
    sato = await team.openLoggedIn("sato@example.co.jp");
  }, 60_000);

  const inboxUrl = (path = "") => team.inboxUrl(path);
  const row = (p: Page, subject: string) =>
    p.locator(`[data-testid="conversation-row"][data-conversation-id="${ids[subject]}"]`);
  const rowLabels = (p: Page, subject: string) =>
    row(p, subject)
      .getByTestId("row-label")
      .allTextContents()
      .then((names) => names.sort());
  const rowIds = (p: Page) =>
    p
      .getByTestId("conversation-row")
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-conversation-id"))))
      .then((list) => list.sort((a, b) => a - b));
  const idsOf = (...names: string[]) => names.map((n) => ids[n] ?? 0).sort((a, b) => a - b);
  const chips = (p: Page) =>
    p
      .getByTestId("conversation")
      .getByTestId("label-chip")
      .allTextContents()
      .then((names) => names.sort());
  const option = (p: Page, name: string) =>
    p.getByTestId("label-option").filter({ has: p.locator(".label-chip", { hasText: name }) });
  const createLabel = async (p: Page, name: string) => {
    await p.getByTestId("label-new-name").fill(name);
    await p.getByTestId("label-create").click();
  };

  it("creates 請求 from the picker of a conversation: its chip shows in the view, the list and the activity", async () => {
    // 佐藤 watches the list meanwhile; a marker on his page tells that it is never reloaded.
    await sato.goto(inboxUrl());
    await expect.poll(() => rowIds(sato), { timeout: WAIT }).toEqual(idsOf(...subjects));
    await sato.evaluate("window.__notReloaded = true");

    await tanaka.goto(inboxUrl(`/c/${ids[invoice]}`));
    await tanaka.getByTestId("label-button").click({ timeout: WAIT });
    await tanaka.getByTestId("label-picker").waitFor();
    await createLabel(tanaka, "請求");
    await expect.poll(() => chips(tanaka), { timeout: WAIT }).toEqual(["請求"]);
    // The new label is ticked in the picker, which stays open for more.
    expect(await option(tanaka, "請求").getByRole("checkbox").isChecked()).toBe(true);
    expect(await tanaka.getByTestId("label-new-name").inputValue()).toBe("");
    await expect.poll(() => rowLabels(tanaka, invoice), { timeout: WAIT }).toEqual(["請求"]);
    expect(await rowLabels(tanaka, brochure)).toEqual([]);
    await tanaka
      .getByTestId("activity")
      .getByText("田中がラベル「請求」を付けました")
      .waitFor({ timeout: WAIT });

    // A second one in another colour.
    await tanaka.getByTestId("label-color-red").click();
    await createLabel(tanaka, "VIP");
    await expect.poll(() => chips(tanaka), { timeout: WAIT }).toEqual(["VIP", "請求"]);
    expect(await tanaka.getByTestId("label-chip").filter({ hasText: "VIP" }).getAttribute("class")).toContain(
      "label-red",
    );
    await screenshot(tanaka, "labels-01-picker");
  });

  it("refuses a second label of the same name, whatever its case, saying so", async () => {
    await createLabel(tanaka, "請求");
    const refused = "この受信箱には同じ名前のラベルがすでにあります。";
    await expect.poll(() => tanaka.getByTestId("label-error").textContent(), { timeout: WAIT }).toBe(refused);
    await createLabel(tanaka, "vip");
    await tanaka.getByTestId("label-error").waitFor();
    expect(await tanaka.getByTestId("label-error").textContent()).toBe(refused);
    // The name stays to be corrected; nothing more is on the conversation.
    expect(await tanaka.getByTestId("label-new-name").inputValue()).toBe("vip");
    expect(await tanaka.getByTestId("label-option").count()).toBe(1); // the name narrows the list to VIP
    expect(await chips(tanaka)).toEqual(["VIP", "請求"]);
    await tanaka.getByTestId("label-new-name").fill("");
    expect(await tanaka.getByTestId("label-option").count()).toBe(2);
    await screenshot(tanaka, "labels-02-duplicate");
  });

  it("shows the chips in a teammate's list without a reload", async () => {
    await expect.poll(() => rowLabels(sato, invoice), { timeout: WAIT }).toEqual(["VIP", "請求"]);
    expect(await sato.evaluate("window.__notReloaded")).toBe(true);
    expect(await rowLabels(sato, meeting)).toEqual([]);
  });

  it("filters the list by a label, the filter kept in the URL over a reload", async () => {
    await tanaka.keyboard.press("Escape");
    await expect.poll(() => tanaka.getByTestId("label-picker").count(), { timeout: WAIT }).toBe(0);
    await tanaka.getByTestId("filter-label").selectOption({ label: "ラベル: 請求" });
    await expect.poll(() => tanaka.url(), { timeout: WAIT }).toMatch(/[?&]label=\d+/);
    await expect.poll(() => rowIds(tanaka), { timeout: WAIT }).toEqual(idsOf(invoice));
    await tanaka.reload();
    await expect.poll(() => rowIds(tanaka), { timeout: WAIT }).toEqual(idsOf(invoice));
    const chosen = await tanaka.getByTestId("filter-label").locator("option:checked").textContent();
    expect(chosen).toBe("ラベル: 請求");
    await screenshot(tanaka, "labels-03-filter");
    // 佐藤 learnt the new labels too: his filter offers them without a reload.
    await expect
      .poll(() => sato.getByTestId("filter-label").locator("option").allTextContents(), { timeout: WAIT })
      .toEqual(["ラベル: すべて", "ラベル: VIP", "ラベル: 請求"]);
  });

  it("takes a label off when unticked in the picker, the activity saying who", async () => {
    await row(tanaka, invoice).click();
    await tanaka.getByTestId("label-button").click({ timeout: WAIT });
    await option(tanaka, "VIP").getByRole("checkbox").uncheck();
    await expect.poll(() => chips(tanaka), { timeout: WAIT }).toEqual(["請求"]);
    await tanaka
      .getByTestId("activity")
      .getByText("田中がラベル「VIP」を外しました")
      .waitFor({ timeout: WAIT });
    await expect.poll(() => rowLabels(tanaka, invoice), { timeout: WAIT }).toEqual(["請求"]);
    await expect.poll(() => rowLabels(sato, invoice), { timeout: WAIT }).toEqual(["請求"]);
    // Ticked again and off again from 佐藤's side: both names in the activity.
    await sato.goto(inboxUrl(`/c/${ids[invoice]}`));
    await sato.getByTestId("label-button").click({ timeout: WAIT });
    await option(sato, "VIP").getByRole("checkbox").check();
    await expect.poll(() => chips(sato), { timeout: WAIT }).toEqual(["VIP", "請求"]);
    await sato
      .getByTestId("activity")
      .getByText("佐藤がラベル「VIP」を付けました")
      .waitFor({ timeout: WAIT });
    await expect.poll(() => chips(tanaka), { timeout: WAIT }).toEqual(["VIP", "請求"]);
  });

  it("puts a label on the ticked conversations at once from 一括操作", async () => {
    await tanaka.goto(inboxUrl());
    await expect.poll(() => rowIds(tanaka), { timeout: WAIT }).toEqual(idsOf(...subjects));
    await tanaka.getByTestId("select-mode").click();
    await row(tanaka, brochure).click();
    await row(tanaka, meeting).click();
    expect(await tanaka.getByTestId("bulk-count").textContent()).toBe("2件選択中");
    await tanaka.getByTestId("bulk-label").selectOption({ label: "請求" });
    await tanaka.getByText("2件を変更しました。").waitFor({ timeout: WAIT });
    await expect.poll(() => rowLabels(tanaka, brochure), { timeout: WAIT }).toEqual(["請求"]);
    await expect.poll(() => rowLabels(tanaka, meeting), { timeout: WAIT }).toEqual(["請求"]);
    expect(await rowLabels(tanaka, invoice)).toEqual(["VIP", "請求"]);
    await tanaka.getByTestId("filter-label").selectOption({ label: "ラベル: VIP" });
    await expect.poll(() => rowIds(tanaka), { timeout: WAIT }).toEqual(idsOf(invoice));
    await tanaka.getByTestId("filter-label").selectOption({ label: "ラベル: 請求" });
    await expect.poll(() => rowIds(tanaka), { timeout: WAIT }).toEqual(idsOf(...subjects));
    await screenshot(tanaka, "labels-04-bulk");
  });

  it("fits the picker and the chips on a phone, and deletes a label after asking", async () => {
    const phone = await team.openPage(PHONE);
    await team.login(phone, "tanaka@example.co.jp");
    await phone.goto(inboxUrl(`/c/${ids[invoice]}`));
    await phone.getByTestId("label-button").click({ timeout: WAIT });
    await phone.getByTestId("label-picker").waitFor();
    // A long name: the chips wrap in the view and are cut short in the list.
    const long = "年間保守契約の更新手続きに関するお問い合わせ対応";
    await createLabel(phone, long);
    await expect.poll(() => chips(phone), { timeout: WAIT }).toEqual(["VIP", long, "請求"].sort());
    const box = await phone.getByTestId("label-picker").boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 375).toBe(true);
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    await screenshot(phone, "labels-05-phone-picker");

    let asked = "";
    phone.once("dialog", (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await option(phone, long).getByTestId("label-delete").click();
    expect(asked).toBe(`ラベル「${long}」を削除しますか？付いている会話からも外れます。`);
    await expect.poll(() => phone.getByTestId("label-option").count(), { timeout: WAIT }).toBe(2);
    await expect.poll(() => chips(phone), { timeout: WAIT }).toEqual(["VIP", "請求"]);

    await phone.goto(inboxUrl());
    await expect.poll(() => rowLabels(phone, invoice), { timeout: WAIT }).toEqual(["VIP", "請求"]);
    expect(await phone.getByTestId("filter-label").isVisible()).toBe(true);
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    // In each row the chips end inside it and leave the subject room.
    const fits = await phone.getByTestId("conversation-row").evaluateAll((els) =>
      els.map((e) => {
        const rowBox = e.getBoundingClientRect();
        const labels = e.querySelector(".row-labels")?.getBoundingClientRect();
        const subject = e.querySelector(".subject")?.getBoundingClientRect();
        return rowBox.right <= 375 && (labels?.right ?? 0) <= rowBox.right && (subject?.width ?? 0) >= 80;
      }),
    );
    expect(fits).toEqual([true, true, true]);
    await screenshot(phone, "labels-06-phone-list");
  });

  it("renames and recolours a label in place from the picker; the chips follow here and on a teammate's screen", async () => {
    // 佐藤 has 請求書の送付について open (its list beside it) and is never reloaded meanwhile.
    await sato.goto(inboxUrl(`/c/${ids[invoice]}`));
    await expect.poll(() => chips(sato), { timeout: WAIT }).toEqual(["VIP", "請求"]);
    await sato.evaluate("window.__notReloaded = true");

    await tanaka.goto(inboxUrl(`/c/${ids[invoice]}`));
    await tanaka.getByTestId("label-button").click({ timeout: WAIT });
    const edit = () => tanaka.getByRole("button", { name: "ラベル「請求」を編集" }).click();
    const form = tanaka.getByTestId("label-edit-form");
    const name = tanaka.getByTestId("label-edit-name");
    const colorOf = () => tanaka.getByTestId("label-chip").filter({ hasText: "請求" }).getAttribute("class");

    // Escape and キャンセル leave it as it was, the picker still open.
    await edit();
    expect(await name.inputValue()).toBe("請求");
    await name.fill("請求書");
    await tanaka.getByTestId("label-edit-color-green").click();
    await name.press("Escape");
    await expect.poll(() => form.count(), { timeout: WAIT }).toBe(0);
    expect(await tanaka.getByTestId("label-picker").isVisible()).toBe(true);
    expect(await option(tanaka, "請求").count()).toBe(1);
    await edit();
    await name.fill("請求書");
    await tanaka.getByTestId("label-edit-cancel").click();
    await expect.poll(() => form.count(), { timeout: WAIT }).toBe(0);
    expect(await chips(tanaka)).toEqual(["VIP", "請求"]);
    expect(await colorOf()).toContain("label-gray");

    // An empty name cannot be saved; another label's name is refused, the form kept to correct it.
    await edit();
    await name.fill("  ");
    expect(await tanaka.getByTestId("label-edit-save").isDisabled()).toBe(true);
    await name.fill("vip");
    await tanaka.getByTestId("label-edit-save").click();
    await expect
      .poll(() => tanaka.getByTestId("label-edit-error").textContent(), { timeout: WAIT })
      .toBe("この受信箱には同じ名前のラベルがすでにあります。");
    expect(await form.isVisible()).toBe(true);
    expect(await name.inputValue()).toBe("vip");
    await screenshot(tanaka, "labels-07-edit-refused");

    // Renamed 請求書 and made green: the picker, the chips and the list rows say so at once.
    await name.fill("請求書");
    await tanaka.getByTestId("label-edit-color-green").click();
    await tanaka.getByTestId("label-edit-save").click();
    await expect.poll(() => form.count(), { timeout: WAIT }).toBe(0);
    expect(await option(tanaka, "請求書").count()).toBe(1);
    await expect.poll(() => chips(tanaka), { timeout: WAIT }).toEqual(["VIP", "請求書"]);
    expect(
      await tanaka.getByTestId("label-chip").filter({ hasText: "請求書" }).getAttribute("class"),
    ).toContain("label-green");
    for (const subject of [brochure, meeting])
      await expect.poll(() => rowLabels(tanaka, subject), { timeout: WAIT }).toEqual(["請求書"]);
    await expect.poll(() => rowLabels(tanaka, invoice), { timeout: WAIT }).toEqual(["VIP", "請求書"]);
    await screenshot(tanaka, "labels-08-edited");

    // 佐藤's open conversation and list follow without a reload.
    await expect.poll(() => chips(sato), { timeout: WAIT }).toEqual(["VIP", "請求書"]);
    expect(
      await sato.getByTestId("label-chip").filter({ hasText: "請求書" }).getAttribute("class"),
    ).toContain("label-green");
    await expect.poll(() => rowLabels(sato, meeting), { timeout: WAIT }).toEqual(["請求書"]);
    expect(await sato.evaluate("window.__notReloaded")).toBe(true);
  });

  it("raised no uncaught errors in the page", () => {
    expect(team.pageErrors).toEqual([]);
  });
});
