import { ensureDkimKey } from "@madoguchi/core";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDns, type TestDns } from "../packages/smtp/test/support/dns-server";
import { screenshot, scrollWidth } from "./support/browser";
import { ADMIN_EMAIL, chromiumTeam, PHONE } from "./support/team";

// ドメインのDNS設定 in Chromium: an administrator opens a domain's DNS records (what to publish
// for mail to come here and be trusted), checks them against a real DNS server on loopback,
// reads which are missing or wrong and why, fixes them, and checks again.
const WAIT = 10_000;
const HOST = "mail.example.co.jp";
const PUBLIC_IP = "192.0.2.25";

describe("web app in Chromium: a domain's DNS records (admin)", () => {
  let dns: TestDns;
  const team = chromiumTeam({
    agents: [],
    inboxes: [],
    serverEnv: async () => {
      dns = await startTestDns();
      return { MADOGUCHI_DNS_SERVERS: dns.server, MADOGUCHI_PUBLIC_IP: PUBLIC_IP };
    },
  });
  let admin: Page;

  beforeAll(async () => {
    admin = await team.openAdmin();
  }, 60_000);
  afterAll(async () => {
    await dns?.close();
  });

  const record = (page: Page, kind: string) =>
    page.locator(`[data-testid="dns-record"][data-kind="${kind}"]`);

  async function openDns(page: Page): Promise<void> {
    await page.getByRole("link", { name: "管理", exact: true }).click();
    await page.getByRole("tab", { name: "ドメイン", exact: true }).click();
    const domain = page.locator('[data-testid="domain"][data-domain="example.co.jp"]');
    await domain.getByRole("button", { name: "DNS設定" }).click();
    await record(page, "dmarc").waitFor({ timeout: WAIT });
  }

  it("lists the records to publish, with this server's name, address and DKIM key", async () => {
    await openDns(admin);
    const dnsPanel = admin.getByRole("region", { name: "example.co.jp のDNSレコード" });
    await expect(dnsPanel.getByTestId("dns-record").count()).resolves.toBe(6);
    const value = (kind: string) => record(admin, kind).getByTestId("dns-value").textContent();
    expect(await value("mx")).toBe(`10 ${HOST}.`);
    expect(await value("a")).toBe(PUBLIC_IP);
    expect(await value("ptr")).toBe(`${HOST}.`);
    expect(await record(admin, "ptr").textContent()).toContain("25.2.0.192.in-addr.arpa");
    expect(await record(admin, "ptr").textContent()).toContain(
      "提供元（ホスティング事業者やプロバイダー）で設定します",
    );
    expect(await value("spf")).toBe("v=spf1 mx ~all");
    const key = await ensureDkimKey(team.ctx, "example.co.jp");
    expect(await value("dkim")).toBe(`v=DKIM1; k=rsa; p=${key.publicKey}`);
    expect(await record(admin, "dkim").textContent()).toContain(`${key.selector}._domainkey.example.co.jp`);
    expect(await record(admin, "mx").textContent()).toContain("MX：このドメイン宛のメールをこのサーバーへ");
    // Nothing checked yet: no verdicts.
    expect(await admin.getByTestId("dns-problem").count()).toBe(0);
  });

  it("checks DNS and says which records are missing or wrong, and what to do", async () => {
    dns.zone.set("example.co.jp", {
      MX: [{ exchange: HOST, priority: 10 }],
      TXT: ["v=spf1 include:_spf.other.example -all", "google-site-verification=abc"],
    });
    dns.zone.set(HOST, { A: [PUBLIC_IP] });
    dns.zone.set("25.2.0.192.in-addr.arpa", { PTR: ["vps-192-0-2-25.hosting.example"] });
    dns.zone.set("_dmarc.example.co.jp", { TXT: ["v=DMARC1; p=none"] });
    await admin.getByRole("button", { name: "DNSを確認" }).click();
    await admin.getByTestId("dns-summary").waitFor({ timeout: WAIT });
    expect(await admin.getByTestId("dns-summary").textContent()).toContain(
      "登録や修正が必要なレコードがあります",
    );
    const status = (kind: string) => record(admin, kind).getAttribute("data-status");
    expect(await status("mx")).toBe("ok");
    expect(await status("a")).toBe("ok");
    expect(await status("dmarc")).toBe("ok");
    expect(await status("spf")).toBe("wrong");
    expect(await status("dkim")).toBe("missing");
    expect(await status("ptr")).toBe("wrong");
    expect(await record(admin, "ptr").textContent()).toContain(
      `このアドレスの逆引きが ${HOST}. になっていません。提供元に変更を依頼してください。`,
    );
    expect(await record(admin, "ptr").textContent()).toContain("現在の値: vps-192-0-2-25.hosting.example");
    const spf = await record(admin, "spf").textContent();
    expect(spf).toContain("要修正");
    expect(spf).toContain("SPFがこのサーバーからの送信を許可していません。「mx」を加えてください。");
    expect(spf).toContain("現在の値: v=spf1 include:_spf.other.example -all");
    const dkim = await record(admin, "dkim").textContent();
    expect(dkim).toContain("未登録");
    expect(dkim).toContain("このレコードが見つかりません。登録してください。");
    expect(dns.asked).toContain("TXT _dmarc.example.co.jp");
    await screenshot(admin, "admin-dns-needs-work");
  });

  it("shows every record right once DNS has them, when checked again", async () => {
    const dkimValue = (await record(admin, "dkim").getByTestId("dns-value").textContent()) ?? "";
    const dkimName = ((await record(admin, "dkim").textContent()) ?? "").match(
      /mdg\d+\._domainkey\.example\.co\.jp/,
    )?.[0];
    if (!dkimName) throw new Error("the DKIM record's name is not shown");
    dns.zone.set("example.co.jp", {
      ...dns.zone.get("example.co.jp"),
      TXT: ["v=spf1 mx ~all", "google-site-verification=abc"],
    });
    dns.zone.set(dkimName, { TXT: [dkimValue] });
    dns.zone.set("25.2.0.192.in-addr.arpa", { PTR: [HOST] });
    await admin.getByRole("button", { name: "DNSを確認" }).click();
    await admin
      .getByText("すべてのレコードが正しく登録されています。", { exact: true })
      .waitFor({ timeout: WAIT });
    for (const kind of ["mx", "a", "ptr", "spf", "dkim", "dmarc"])
      expect(await record(admin, kind).getAttribute("data-status")).toBe("ok");
    expect(await admin.getByTestId("dns-problem").count()).toBe(0);
  });

  it("fits a phone: the long DKIM value wraps instead of widening the page", async () => {
    const phone = await team.openPage(PHONE);
    await team.login(phone, ADMIN_EMAIL);
    await openDns(phone);
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    await screenshot(phone, "admin-dns-phone");
    expect(team.pageErrors).toEqual([]);
  });
});
