import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { RECIPIENT_CACHE_MS } from "../packages/smtp/src/recipients";
import { transcript } from "../packages/smtp/test/support/clients";
import { screenshot } from "./support/browser";
import { chromiumTeam } from "./support/team";

// 管理 → 共有受信箱 in Chromium: the administrator gives お問い合わせ (info@) a second address,
// and a customer's mail to that address, over SMTP, shows up in the inbox.
const WAIT = 15_000;

describe("web app in Chromium: inbox aliases (admin)", () => {
  const team = chromiumTeam({ agents: [], inboxes: [] });
  let admin: Page;

  beforeAll(async () => {
    admin = await team.openAdmin();
  }, 60_000);

  it("adds an alias (refusing a domain not served, in plain words), and mail to it lands in the inbox", async () => {
    await admin.getByRole("link", { name: "管理", exact: true }).click();
    await admin.getByRole("tab", { name: "共有受信箱", exact: true }).click();
    await admin.getByText("お問い合わせ", { exact: true }).click();
    const aliasInput = admin.getByRole("textbox", { name: "追加するアドレス" });
    await aliasInput.fill("otoiawase@example.jp");
    await admin.getByRole("button", { name: "アドレスを追加" }).click();
    await admin
      .getByRole("alert")
      .getByText("このドメインはまだ登録されていません。先に「ドメイン」で追加してください。")
      .waitFor({ timeout: WAIT });
    await aliasInput.fill("otoiawase@example.co.jp");
    await admin.getByRole("button", { name: "アドレスを追加" }).click();
    const aliases = admin.getByTestId("inbox-aliases");
    await aliases.getByText("otoiawase@example.co.jp").waitFor({ timeout: WAIT });
    await screenshot(admin, "admin-aliases-01-added");

    const answer = await team.receiveOverSmtp("otoiawase@example.co.jp", {
      from: { name: "木村 次郎", address: "kimura@customer.example" },
      to: "otoiawase@example.co.jp, keiri@customer.example",
      subject: "資料請求",
      messageId: "catalog-1@customer.example",
      text: "カタログを送ってください。",
    });
    expect(answer).toMatch(/^250 /);
    await admin.getByRole("link", { name: "受信箱", exact: true }).click();
    await admin.getByText("info@example.co.jp", { exact: true }).click();
    await admin.getByTestId("conversation-row").getByText("資料請求").click({ timeout: WAIT });
    // 全員に返信: the customer's colleague is copied; the alias, being the team's own, is not.
    await admin.getByRole("button", { name: "全員に返信" }).click();
    const composer = admin.getByTestId("composer");
    await expect
      .poll(() => composer.getByTestId("compose-to").inputValue(), { timeout: WAIT })
      .toContain("kimura@customer.example");
    await expect(composer.getByLabel("CC", { exact: true }).inputValue()).resolves.toBe(
      "keiri@customer.example",
    );
    await composer.getByRole("button", { name: "閉じる" }).click();
  });

  it("removes the alias: the address is refused again", async () => {
    await admin.getByRole("link", { name: "管理", exact: true }).click();
    await admin.getByRole("tab", { name: "共有受信箱", exact: true }).click();
    const aliases = admin.getByTestId("inbox-aliases");
    if (!(await aliases.isVisible())) await admin.getByText("お問い合わせ", { exact: true }).click();
    await aliases.getByRole("button", { name: "外す" }).click();
    await aliases.getByText("ありません").waitFor({ timeout: WAIT });
    // The MX remembers a found address for RECIPIENT_CACHE_MS; after that, RCPT TO is refused.
    const rcpt = async () =>
      (
        await transcript(
          team.port("SMTP", "MX"),
          [
            "EHLO customer.example",
            "MAIL FROM:<kimura@customer.example>",
            "RCPT TO:<otoiawase@example.co.jp>",
            "QUIT",
          ],
          { untilReplies: 5 },
        )
      ).find((line) => /^(250 2\.1\.5|5\d\d )/.test(line));
    await expect.poll(rcpt, { timeout: RECIPIENT_CACHE_MS + WAIT, interval: 1000 }).toMatch(/^550 5\.1\.1 /);
  });

  it("raised no uncaught errors in the page", () => {
    expect(team.pageErrors).toEqual([]);
  });
});
