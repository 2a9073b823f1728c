import { inboxRules } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { screenshot, scrollWidth } from "./support/browser";
import type { MailSpec } from "./support/mail";
import { chromiumTeam, PHONE, TANAKA_AND_SATO } from "./support/team";

// 自動振り分け in Chromium, as yaritori, Re:lation and Front offer it: the members of a shared
// inbox write rules (差出人 contains …, 件名 contains …) that assign a new inquiry, label it and
// set its status as it arrives, the activity naming the rule. Follow-ups, mail no rule matches
// and a rule switched off are left alone.
const WAIT = 10_000;
/** A mail over the MX: stored, then pushed to the team's screens. */
const ARRIVE = 20_000;

describe("web app in Chromium: 自動振り分け", () => {
  const team = chromiumTeam(TANAKA_AND_SATO);
  let tanaka: Page;
  let sato: Page;
  /** The conversation 田中 makes the label 請求 from. */
  let seedId = 0;
  const seed = "ラベル作成用のお問い合わせ";
  const invoice = "３月分の請求書について";
  const invoiceMessageId = "rules-invoice@bigclient.co.jp";
  const note =
    "新しいお問い合わせ（会話の最初のメール）が届いたとき、上から順に条件に合うルールをすべて適用します。担当者とステータスは後のルールが優先されます。";
  const summary =
    "差出人に「bigclient」を含む かつ 件名に「請求」を含む → 佐藤に割り当て・ラベル「請求」・対応中";

  beforeAll(async () => {
    seedId = (await team.customerConversations("rules", [seed]))[seed] ?? 0;
    tanaka = await team.openLoggedIn("tanaka@example.co.jp");
    sato = await team.openLoggedIn("sato@example.co.jp");
  }, 60_000);

  const inboxUrl = (path = "") => team.inboxUrl(path);
  const rulesUrl = () => inboxUrl("/rules");
  const rules = (p: Page) => p.getByTestId("rule-row");
  const rule = (p: Page, name: string) =>
    rules(p).filter({ has: p.getByTestId("rule-name").getByText(name, { exact: true }) });
  const ruleNames = (p: Page) => rules(p).getByTestId("rule-name").allTextContents();
  const ruleInDb = async (name: string) =>
    (await team.ctx.db.select().from(inboxRules).where(eq(inboxRules.name, name)))[0];
  const row = (p: Page, subject: string) =>
    p
      .getByTestId("conversation-row")
      .filter({ has: p.locator(".subject").getByText(subject, { exact: true }) });
  /** A list row as the team reads it: status, assignee, labels. */
  const rowState = async (p: Page, subject: string) => ({
    status: await row(p, subject).locator(".status-chip").textContent(),
    assignee: await row(p, subject).locator(".avatar").getAttribute("title"),
    labels: (await row(p, subject).getByTestId("row-label").allTextContents()).sort(),
  });
  const activityLine = (p: Page, text: string) =>
    p.getByTestId("activity").getByText(text).waitFor({ timeout: WAIT });
  /** A customer's mail to info@ over the MX; the server's answer is 250. */
  const customerWrites = async (mail: Omit<MailSpec, "to">) =>
    expect(await team.receiveOverSmtp("info@example.co.jp", { to: "info@example.co.jp", ...mail })).toMatch(
      /^250 /,
    );
  const fillCondition = async (p: Page, index: number, field: string, value: string) => {
    const condition = p.getByTestId("rule-condition").nth(index);
    await condition.getByTestId("rule-condition-field").selectOption({ label: field });
    await condition.getByTestId("rule-condition-value").fill(value);
  };

  it("adds a rule on the inbox's 自動振り分け page: it shows in the list with its summary", async () => {
    // The label it puts on comes from a conversation's picker, as the team makes labels.
    await tanaka.goto(inboxUrl(`/c/${seedId}`));
    await tanaka.getByTestId("label-button").click({ timeout: WAIT });
    await tanaka.getByTestId("label-new-name").fill("請求");
    await tanaka.getByTestId("label-create").click();
    await tanaka.getByTestId("conversation").getByTestId("label-chip").waitFor({ timeout: WAIT });

    await tanaka.goto(inboxUrl());
    await tanaka.getByTestId("rules-link").click({ timeout: WAIT });
    await tanaka.getByTestId("rules-page").waitFor({ timeout: WAIT });
    expect(tanaka.url()).toBe(rulesUrl());
    expect(await tanaka.getByTestId("rules-note").textContent()).toBe(note);
    expect(await rules(tanaka).count()).toBe(0);

    await tanaka.getByTestId("rule-add").click();
    const form = tanaka.getByTestId("rule-form");
    await form.waitFor();
    await tanaka.getByTestId("rule-name-input").fill("請求書");
    await fillCondition(tanaka, 0, "差出人", "bigclient");
    await tanaka.getByTestId("rule-condition-add").click();
    await fillCondition(tanaka, 1, "件名", "請求");
    // A third row, added and removed again.
    await tanaka.getByTestId("rule-condition-add").click();
    await tanaka.getByTestId("rule-condition").nth(2).getByTestId("rule-condition-remove").click();
    expect(await tanaka.getByTestId("rule-condition").count()).toBe(2);
    await tanaka.getByTestId("rule-assignee").selectOption({ label: "佐藤" });
    await tanaka.getByTestId("rule-label").filter({ hasText: "請求" }).getByRole("checkbox").check();
    await tanaka.getByTestId("rule-status").selectOption({ label: "対応中" });
    await screenshot(tanaka, "rules-01-form");
    await tanaka.getByTestId("rule-save").click();

    await expect.poll(() => ruleNames(tanaka), { timeout: WAIT }).toEqual(["請求書"]);
    expect(await form.count()).toBe(0);
    expect(await rule(tanaka, "請求書").getByTestId("rule-summary").textContent()).toBe(summary);
    expect(await rule(tanaka, "請求書").getByTestId("rule-enabled").isChecked()).toBe(true);
    await screenshot(tanaka, "rules-02-list");
  });

  it("applies it to a new inquiry over the MX: 佐藤's list shows it assigned, labelled and 対応中 without a reload", async () => {
    // 佐藤 watches every status; a marker on his page tells that it is never reloaded.
    await sato.goto(inboxUrl("?status=all"));
    await row(sato, seed).waitFor({ timeout: WAIT });
    await sato.evaluate("window.__notReloaded = true");

    await customerWrites({
      from: { name: "経理部", address: "keiri@bigclient.co.jp" },
      subject: invoice,
      messageId: invoiceMessageId,
      text: "３月分の請求書をお送りください。",
    });
    await row(sato, invoice).waitFor({ timeout: ARRIVE });
    await expect
      .poll(() => rowState(sato, invoice), { timeout: WAIT })
      .toEqual({ status: "対応中", assignee: "佐藤", labels: ["請求"] });
    expect(await sato.evaluate("window.__notReloaded")).toBe(true);
    await screenshot(sato, "rules-03-teammate-list");

    await row(sato, invoice).click();
    await sato.getByTestId("conversation").waitFor({ timeout: WAIT });
    expect(await sato.getByTestId("status-select").inputValue()).toBe("in_progress");
    expect(await sato.getByTestId("assignee-select").locator("option:checked").textContent()).toBe("佐藤 ✓");
    await activityLine(sato, "ルール「請求書」により佐藤に割り当てました");
    await activityLine(sato, "ルール「請求書」によりラベル「請求」を付けました");
    await activityLine(sato, "ルール「請求書」により対応中にしました");
    await screenshot(sato, "rules-04-activity");
  });

  it("leaves a mail from another sender alone, though its subject matches: 未対応, unassigned, no label", async () => {
    await customerWrites({
      from: { name: "山田", address: "yamada@other.example" },
      subject: "請求書の再発行のお願い",
      messageId: "rules-other@other.example",
      text: "請求書を再発行してください。",
    });
    await sato.goto(inboxUrl("?status=all"));
    await row(sato, "請求書の再発行のお願い").waitFor({ timeout: ARRIVE });
    expect(await rowState(sato, "請求書の再発行のお願い")).toEqual({
      status: "未対応",
      assignee: "未割り当て",
      labels: [],
    });
  });

  it("does not apply again to the customer's follow-up: reassigned to 田中 by hand, it stays his", async () => {
    await tanaka.goto(inboxUrl("?status=all"));
    await row(tanaka, invoice).click({ timeout: WAIT });
    await tanaka.getByTestId("assignee-select").selectOption({ label: "田中 ✓" });
    await activityLine(tanaka, "田中が田中さんに割り当てました");
    await tanaka.getByTestId("status-select").selectOption({ label: "保留" });
    await activityLine(tanaka, "田中がステータスを「保留」にしました");

    await customerWrites({
      from: { name: "経理部", address: "keiri@bigclient.co.jp" },
      subject: `Re: ${invoice}`,
      messageId: "rules-invoice-2@bigclient.co.jp",
      inReplyTo: invoiceMessageId,
      text: "請求先の部署名が変わりました。",
    });
    await tanaka
      .getByTestId("conversation")
      .getByText("請求先の部署名が変わりました。")
      .waitFor({ timeout: ARRIVE });
    // The customer writing puts it back to 未対応, as any follow-up does; the rule's 対応中 and 佐藤 do not come back.
    await expect.poll(() => tanaka.getByTestId("status-select").inputValue(), { timeout: WAIT }).toBe("open");
    expect(await tanaka.getByTestId("assignee-select").locator("option:checked").textContent()).toBe(
      "田中 ✓",
    );
    expect(
      await tanaka.getByTestId("activity").getByText("ルール「請求書」により佐藤に割り当てました").count(),
    ).toBe(1);
    // One conversation, not a second one for the follow-up.
    await tanaka.goto(inboxUrl("?status=all"));
    await row(tanaka, invoice).waitFor({ timeout: WAIT });
    expect(await row(tanaka, `Re: ${invoice}`).count()).toBe(0);
    expect(await rowState(tanaka, invoice)).toEqual({ status: "未対応", assignee: "田中", labels: ["請求"] });
  });

  it("leaves new inquiries alone while the rule is off; on again, moved, renamed and deleted", async () => {
    await tanaka.goto(rulesUrl());
    await rule(tanaka, "請求書").getByTestId("rule-enabled").uncheck({ timeout: WAIT });
    await expect.poll(async () => (await ruleInDb("請求書"))?.enabled, { timeout: WAIT }).toBe(false);
    expect(await rule(tanaka, "請求書").getAttribute("class")).toContain("rule-off");

    const april = "４月分の請求書について";
    await customerWrites({
      from: { name: "経理部", address: "keiri@bigclient.co.jp" },
      subject: april,
      messageId: "rules-april@bigclient.co.jp",
      text: "４月分もお願いします。",
    });
    await sato.goto(inboxUrl("?status=all"));
    await row(sato, april).waitFor({ timeout: ARRIVE });
    expect(await rowState(sato, april)).toEqual({ status: "未対応", assignee: "未割り当て", labels: [] });

    await rule(tanaka, "請求書").getByTestId("rule-enabled").check();
    await expect.poll(async () => (await ruleInDb("請求書"))?.enabled, { timeout: WAIT }).toBe(true);

    // A second rule goes last; moved up, it applies first.
    await tanaka.getByTestId("rule-add").click();
    await tanaka.getByTestId("rule-name-input").fill("至急");
    await fillCondition(tanaka, 0, "本文", "至急");
    await tanaka.getByTestId("rule-status").selectOption({ label: "保留" });
    await tanaka.getByTestId("rule-save").click();
    await expect.poll(() => ruleNames(tanaka), { timeout: WAIT }).toEqual(["請求書", "至急"]);
    expect(await rule(tanaka, "至急").getByTestId("rule-summary").textContent()).toBe(
      "本文に「至急」を含む → 保留",
    );
    expect(await rule(tanaka, "請求書").getByTestId("rule-up").isDisabled()).toBe(true);
    expect(await rule(tanaka, "至急").getByTestId("rule-down").isDisabled()).toBe(true);
    await rule(tanaka, "至急").getByTestId("rule-up").click();
    await expect.poll(() => ruleNames(tanaka), { timeout: WAIT }).toEqual(["至急", "請求書"]);
    await tanaka.reload();
    await expect.poll(() => ruleNames(tanaka), { timeout: WAIT }).toEqual(["至急", "請求書"]);
    await rule(tanaka, "至急").getByTestId("rule-down").click();
    await expect.poll(() => ruleNames(tanaka), { timeout: WAIT }).toEqual(["請求書", "至急"]);

    // 編集 opens the same form, filled in, where the rule is.
    await rule(tanaka, "請求書").getByTestId("rule-edit").click();
    expect(await tanaka.getByTestId("rule-name-input").inputValue()).toBe("請求書");
    const values = tanaka.getByTestId("rule-condition-value");
    expect([await values.nth(0).inputValue(), await values.nth(1).inputValue()]).toEqual([
      "bigclient",
      "請求",
    ]);
    expect(await values.count()).toBe(2);
    expect(await tanaka.getByTestId("rule-assignee").locator("option:checked").textContent()).toBe("佐藤");
    expect(await tanaka.getByTestId("rule-status").inputValue()).toBe("in_progress");
    await tanaka.getByTestId("rule-name-input").fill("請求書（経理）");
    await tanaka.getByTestId("rule-save").click();
    await expect.poll(() => ruleNames(tanaka), { timeout: WAIT }).toEqual(["請求書（経理）", "至急"]);
    expect(await rule(tanaka, "請求書（経理）").getByTestId("rule-summary").textContent()).toBe(summary);
    await screenshot(tanaka, "rules-05-two-rules");

    let asked = "";
    tanaka.once("dialog", (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await rule(tanaka, "請求書（経理）").getByTestId("rule-delete").click();
    await expect.poll(() => ruleNames(tanaka), { timeout: WAIT }).toEqual(["至急"]);
    expect(asked).toBe("ルール「請求書（経理）」を削除しますか？");
    expect(await ruleInDb("請求書（経理）")).toBeUndefined();
  });

  it("says in the form what a rule lacks: a condition, an action", async () => {
    await tanaka.getByTestId("rule-add").click();
    await tanaka.getByTestId("rule-name-input").fill("未完成");
    await tanaka.getByTestId("rule-status").selectOption({ label: "対応済み" });
    await tanaka.getByTestId("rule-save").click();
    await expect
      .poll(() => tanaka.getByTestId("rule-error").textContent(), { timeout: WAIT })
      .toBe("条件を1つ以上指定してください。");

    await fillCondition(tanaka, 0, "宛先", "sales@");
    await tanaka.getByTestId("rule-status").selectOption({ label: "指定しない" });
    await tanaka.getByTestId("rule-save").click();
    await expect
      .poll(() => tanaka.getByTestId("rule-error").textContent(), { timeout: WAIT })
      .toBe("担当者・ラベル・ステータスのいずれかを指定してください。");
    // The form stays, as filled in, to be corrected; nothing was added.
    expect(await tanaka.getByTestId("rule-name-input").inputValue()).toBe("未完成");
    expect(await ruleNames(tanaka)).toEqual(["至急"]);
    await screenshot(tanaka, "rules-06-errors");
    await tanaka.getByTestId("rule-cancel").click();
    await expect.poll(() => tanaka.getByTestId("rule-form").count(), { timeout: WAIT }).toBe(0);
  });

  it("fits a 375 px phone: the link, the list and the form", async () => {
    const phone = await team.openPage(PHONE);
    await team.login(phone, "tanaka@example.co.jp");
    await phone.goto(inboxUrl());
    await phone.getByTestId("rules-link").click({ timeout: WAIT });
    await rule(phone, "至急").waitFor({ timeout: WAIT });
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    await phone.getByTestId("rule-add").click();
    await phone.getByTestId("rule-condition-add").click();
    await fillCondition(phone, 1, "差出人", "とても長い差出人の名前やアドレスの一部を条件にした例");
    const inside = await phone
      .locator('[data-testid="rule-row"], [data-testid="rule-form"], [data-testid="rule-condition"]')
      .evaluateAll((els) =>
        els.map((e) => {
          const box = e.getBoundingClientRect();
          return box.left >= 0 && box.right <= 375;
        }),
      );
    expect(inside).toEqual(inside.map(() => true));
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    await screenshot(phone, "rules-07-phone");
  });

  it("raised no uncaught errors in the page", () => {
    expect(team.pageErrors).toEqual([]);
  });
});
