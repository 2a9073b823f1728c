import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imapflowClient } from "../packages/imap/test/helpers";
import { startTestDns, type TestDns } from "../packages/smtp/test/support/dns-server";
import { screenshot, scrollWidth } from "./support/browser";
import { chromiumTeam, DESKTOP, PASSWORD, PHONE } from "./support/team";

// Mail quarantined into Junk, as an agent sees it in Chromium: the MX looks the sender's address
// (127.0.0.1 here) up in a DNS blocklist served on loopback, finds it listed, and takes the mail
// into Junk (MADOGUCHI_DNSBL_ACTION=quarantine). The conversation it starts is 迷惑メール: not
// among 未対応 but under its own tab, saying why; 迷惑メールではない / 迷惑メールにする move it and
// its mail (INBOX ⇄ Junk, as a mail client sees), and a mail client's move is followed live.
const WAIT = 15_000;
const REALTIME = 8_000;

describe("web app in Chromium: 迷惑メール, from a DNS blocklist quarantine", () => {
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

  const rowIds = () =>
    page
      .getByTestId("conversation-row")
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-conversation-id"))));
  const tab = (name: string) => page.getByTestId(`tab-${name}`);
  let conversationId = 0;

  /** What a mail client sees of the shared inbox's INBOX and Junk: the subjects in each. */
  async function overImap(move?: { from: string; to: string }): Promise<Record<string, string[]>> {
    const client = imapflowClient(team.port("IMAP", "TLS"), "tanaka@example.co.jp", PASSWORD);
    await client.connect();
    try {
      if (move) {
        const lock = await client.getMailboxLock(`Shared/info@example.co.jp/${move.from}`);
        try {
          expect(await client.messageMove("1:*", `Shared/info@example.co.jp/${move.to}`)).toBeTruthy();
        } finally {
          lock.release();
        }
      }
      const seen: Record<string, string[]> = {};
      for (const folder of ["INBOX", "Junk"]) {
        const lock = await client.getMailboxLock(`Shared/info@example.co.jp/${folder}`);
        try {
          seen[folder] = [];
          for await (const m of client.fetch("1:*", { envelope: true }))
            seen[folder].push(m.envelope?.subject ?? "");
        } catch {
          // An empty folder has no 1:*.
        } finally {
          lock.release();
        }
      }
      return seen;
    } finally {
      await client.logout();
    }
  }

  it("keeps quarantined mail out of 未対応, under 迷惑メール, saying which blocklist named its sender", async () => {
    const answer = await team.receiveOverSmtp("info@example.co.jp", {
      from: { name: "特価情報", address: "promo@bulk.example" },
      to: "info@example.co.jp",
      subject: "今だけの特別価格",
      messageId: "promo-1@bulk.example",
      text: "今すぐクリック",
    });
    expect(answer).toMatch(/^250 /);
    await page.goto(`${team.srv.baseUrl}/#/inbox/${team.inboxIds[0]}`);
    await expect.poll(() => tab("junk").textContent(), { timeout: WAIT }).toBe("迷惑メール1");
    expect(await tab("open").getAttribute("aria-selected")).toBe("true");
    expect(await rowIds()).toEqual([]);
    await tab("junk").click();
    const row = page.getByTestId("conversation-row").filter({ hasText: "今だけの特別価格" });
    conversationId = Number(await row.getAttribute("data-conversation-id", { timeout: WAIT }));
    await row.click();
    await expect
      .poll(() => page.getByTestId("junk-banner").textContent(), { timeout: WAIT })
      .toBe(
        "迷惑メールフォルダに入ったメールです: 送信元のサーバーがブロックリスト bl.example に載っています。",
      );
    await page.getByTestId("junk-thread").waitFor();
    await screenshot(page, "junk-01-blocklist");
  });

  it("迷惑メールではない brings it into 未対応 and its mail into INBOX for mail clients", async () => {
    await page.getByTestId("not-junk").click();
    await page.getByTestId("mark-junk").waitFor({ timeout: WAIT });
    expect(await page.getByTestId("junk-thread").count()).toBe(0);
    await tab("open").click();
    await expect.poll(rowIds, { timeout: WAIT }).toEqual([conversationId]);
    await expect.poll(() => tab("junk").textContent(), { timeout: WAIT }).toBe("迷惑メール0");
    expect(await overImap()).toEqual({ INBOX: ["今だけの特別価格"], Junk: [] });
    // The conversation's activity says who did it.
    await page.locator(`[data-conversation-id="${conversationId}"]`).click();
    await page.getByText("田中が迷惑メールではないとしました").waitFor({ timeout: WAIT });
  });

  it("迷惑メールにする takes it out of the list, and a mail client moving it out of Junk brings it back live", async () => {
    await page.getByTestId("mark-junk").click();
    await page.getByText("迷惑メールに移動しました。").waitFor({ timeout: WAIT });
    await expect.poll(rowIds, { timeout: WAIT }).toEqual([]);
    expect(await tab("open").getAttribute("aria-selected")).toBe("true");
    expect(await overImap()).toEqual({ INBOX: [], Junk: ["今だけの特別価格"] });
    await screenshot(page, "junk-02-marked");

    // Thunderbird's "not junk": the message moved from Junk to INBOX over IMAPS.
    expect(await overImap({ from: "Junk", to: "INBOX" })).toEqual({ INBOX: ["今だけの特別価格"], Junk: [] });
    await expect.poll(rowIds, { timeout: REALTIME }).toEqual([conversationId]);
  });

  it("fits the tabs on a phone", async () => {
    const phone = await team.openPage(PHONE);
    await team.login(phone, "tanaka@example.co.jp");
    await phone.goto(`${team.srv.baseUrl}/#/inbox/${team.inboxIds[0]}?status=junk`);
    await phone.getByTestId("tab-junk").waitFor({ timeout: WAIT });
    expect(await phone.getByTestId("tab-junk").getAttribute("aria-selected")).toBe("true");
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    await screenshot(phone, "junk-03-phone");
  });

  it("raised no uncaught errors in the page", () => {
    expect(team.pageErrors).toEqual([]);
  });
});
