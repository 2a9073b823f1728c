import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDns, type TestDns } from "../packages/smtp/test/support/dns-server";
import { screenshot } from "./support/browser";
import { chromiumTeam, DESKTOP } from "./support/team";

// Mail quarantined into Junk, as an agent sees it in Chromium: the MX looks the sender's address
// (127.0.0.1 here) up in a DNS blocklist served on loopback, finds it listed, and takes the mail
// into Junk (MADOGUCHI_DNSBL_ACTION=quarantine); the message says why it is there.
const WAIT = 15_000;

describe("web app in Chromium: mail quarantined by a DNS blocklist", () => {
  let dns: TestDns;
  const team = chromiumTeam({
    agents: [{ email: "tanaka@example.co.jp", name: "田中" }],
    inboxes: [{ address: "info@example.co.jp", name: "お問い合わせ" }],
    serverEnv: async () => {
      dns = await startTestDns();
      dns.zone.set("1.0.0.127.bl.example", { A: ["127.0.0.2"] });
      return {
        MADOGUCHI_DNS_SERVERS: dns.server,
        MADOGUCHI_DNSBL: "bl.example",
        MADOGUCHI_DNSBL_ACTION: "quarantine",
      };
    },
  });
  let page: Page;

  beforeAll(async () => {
    page = await team.openPage(DESKTOP);
    await team.login(page, "tanaka@example.co.jp");
  }, 60_000);
  afterAll(async () => {
    await dns?.close();
  });

  it("shows that the message is in Junk and which blocklist named its sender", async () => {
    const answer = await team.receiveOverSmtp("info@example.co.jp", {
      from: { name: "特価情報", address: "promo@bulk.example" },
      to: "info@example.co.jp",
      subject: "今だけの特別価格",
      messageId: "promo-1@bulk.example",
      text: "今すぐクリック",
    });
    expect(answer).toMatch(/^250 /);
    await page.goto(`${team.srv.baseUrl}/#/inbox/${team.inboxIds[0]}`);
    await page.getByTestId("conversation-row").getByText("今だけの特別価格").click({ timeout: WAIT });
    await expect
      .poll(() => page.getByTestId("junk-banner").textContent(), { timeout: WAIT })
      .toBe(
        "迷惑メールフォルダに入ったメールです: 送信元のサーバーがブロックリスト bl.example に載っています。",
      );
    await screenshot(page, "junk-01-blocklist");
  });

  it("raised no uncaught errors in the page", () => {
    expect(team.pageErrors).toEqual([]);
  });
});
