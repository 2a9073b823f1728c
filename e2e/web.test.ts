import {
  addDomain,
  addSharedInbox,
  addUser,
  assignConversation,
  createTemplate,
  deliver,
} from "@madoguchi/core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, login, screenshot, scrollWidth } from "./support/browser";
import { rawMail } from "./support/mail";
import { ensureWebBuilt, startImageHost, startTestServer, type TestServer } from "./support/server";

// Two agents on one shared inbox, in two browser contexts, against the real server.
// Every wait is bounded: WAIT for UI reactions, REALTIME for what another browser must see.
const WAIT = 10_000;
const REALTIME = 8_000;
const PASSWORD = "correct horse battery";

describe("web app in Chromium: two agents, one shared inbox", () => {
  let srv: TestServer;
  let images: Awaited<ReturnType<typeof startImageHost>>;
  let browser: Browser;
  let ctxA: BrowserContext;
  let ctxB: BrowserContext;
  let a: Page;
  let b: Page;
  let inboxId: number;
  const conv: Record<"invoice" | "html" | "delivery", number> = { invoice: 0, html: 0, delivery: 0 };
  const pageErrors: string[] = [];
  let tanakaId = 0;
  /** While B is "offline", new realtime connections of B wait here (resolved when back online). */
  let bGate: Promise<void> = Promise.resolve();
  let bOffline = false;
  let bSockets: { close(): Promise<void> }[] = [];
  /** B's HTTP requests on their way (API calls, refetches). */
  let bRequests = 0;

  beforeAll(async () => {
    ensureWebBuilt();
    [srv, images] = await Promise.all([startTestServer(), startImageHost()]);
    const ctx = srv.server.core.ctx;
    await addDomain(ctx, "example.co.jp");
    // The customer's domain is served here too, so replies are delivered locally: no outbound
    // queue to the Internet and no bounce threading back into the conversation mid-test.
    await addDomain(ctx, "client.co.jp");
    await addUser(ctx, { email: "yamada@client.co.jp", name: "山田 太郎", password: PASSWORD });
    tanakaId = (await addUser(ctx, { email: "tanaka@example.co.jp", name: "田中", password: PASSWORD })).id;
    const sato = await addUser(ctx, { email: "sato@example.co.jp", name: "佐藤", password: PASSWORD });
    const inbox = await addSharedInbox(ctx, {
      address: "support@example.co.jp",
      name: "サポート窓口",
      memberEmails: ["tanaka@example.co.jp", "sato@example.co.jp"],
      // A short undo window keeps the suite quick; the default is 10 s.
      settings: { undoSendSeconds: 2, signature: "株式会社サンプル サポート窓口" },
    });
    inboxId = inbox.id;
    await createTemplate(ctx, sato.id, {
      inboxId,
      name: "配送のご案内",
      subject: null,
      body: "{{customer.name}} 様\n\n配送状況の資料を添付いたします。\n\n{{agent.name}}",
    });
    const customer = { name: "山田 太郎", address: "yamada@client.co.jp" };
    const put = async (subject: string, body: { text?: string; html?: string }, id: string) =>
      (
        await deliver(
          ctx,
          inbox.id,
          rawMail({
            from: customer,
            to: "support@example.co.jp",
            subject,
            messageId: `${id}@client.co.jp`,
            ...body,
          }),
          { authResults: { spf: "pass", dkim: "pass", dmarc: "pass", dkimPassDomains: ["client.co.jp"] } },
        )
      ).conversationId ?? 0;
    conv.delivery = await put(
      "配送状況の確認",
      { text: "注文番号 A-100 の配送状況を教えてください。" },
      "m1",
    );
    conv.html = await put(
      "ニュースレター 3月号",
      {
        text: "HTML版をご覧ください。",
        html: `<p>新製品のご案内</p><script>window.__pwned = 1; parent.__pwned = 1;</script>
<img src="${images.url}/track.gif" alt="tracker"><img src="x" onerror="parent.__pwned = 1">
<div style="background:url(${images.url}/bg.gif)">背景</div><a href="javascript:parent.__pwned=1">リンク</a>`,
      },
      "m2",
    );
    conv.invoice = await put(
      "請求書の再発行について",
      { text: "先月分の請求書を再発行していただけますか。\nよろしくお願いいたします。" },
      "m3",
    );
    browser = await launchChromium();
    ctxA = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "ja-JP" });
    ctxB = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "ja-JP" });
    a = await ctxA.newPage();
    b = await ctxB.newPage();
    for (const p of [a, b]) p.on("pageerror", (e) => pageErrors.push(e.message));
    b.on("request", () => bRequests++);
    b.on("requestfinished", () => bRequests--);
    b.on("requestfailed", () => bRequests--);
    // B's realtime connections pass through here so a test can cut them and hold reconnects.
    await b.routeWebSocket(/\/socket\.io\//, async (ws) => {
      // Checked again after every wait, in the same turn as the connect: a handler that got past
      // an open gate just before the test cut B off must not slip through with a live socket.
      while (bOffline) await bGate;
      ws.connectToServer();
      bSockets.push(ws);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    await images?.close();
  });

  it("refuses a wrong password in plain words, then logs both agents in", async () => {
    await a.goto(`${srv.baseUrl}/`, { timeout: 20_000 });
    await a.locator('input[name="email"]').fill("tanaka@example.co.jp", { timeout: WAIT });
    await a.locator('input[name="password"]').fill("wrong password");
    await a.getByRole("button", { name: "ログイン" }).click();
    await a.getByText("メールアドレスまたはパスワードが正しくありません。").waitFor({ timeout: WAIT });
    await screenshot(a, "01-login-error");
    await login(a, srv.baseUrl, "tanaka@example.co.jp", PASSWORD);
    await login(b, srv.baseUrl, "sato@example.co.jp", PASSWORD);
    const card = b.getByTestId("inbox-card").filter({ hasText: "サポート窓口" });
    await expect(card.textContent()).resolves.toContain("未対応 3");
    await screenshot(b, "02-inboxes");
  });

  it("finds a mail by a Japanese substring", async () => {
    await b.goto(`${srv.baseUrl}/#/inbox/${inboxId}?status=open`);
    await b.getByTestId("conversation-row").nth(2).waitFor({ timeout: WAIT });
    await b.getByRole("searchbox").fill("請求書");
    await b.getByRole("button", { name: "検索" }).click();
    const rows = b.getByTestId("conversation-row");
    await expect.poll(() => rows.count(), { timeout: WAIT }).toBe(1);
    await expect(rows.first().textContent()).resolves.toContain("請求書の再発行について");
    await screenshot(b, "03-search");
  });

  it("shows B that A is replying, and B must take over explicitly", async () => {
    await a.goto(`${srv.baseUrl}/#/inbox/${inboxId}/c/${conv.invoice}`);
    await a.getByTestId("reply-button").click({ timeout: WAIT });
    await a.getByTestId("composer").waitFor({ timeout: WAIT });
    // In B's list (still the search result) and in the conversation itself.
    await b
      .getByTestId("row-presence")
      .filter({ hasText: "田中さんが返信中" })
      .waitFor({ timeout: REALTIME });
    await b.getByTestId("conversation-row").first().click();
    await b
      .getByTestId("conv-presence")
      .filter({ hasText: "田中さんが返信中" })
      .waitFor({ timeout: REALTIME });
    await b.getByTestId("reply-button").click();
    await b.getByTestId("replying-warning").waitFor({ timeout: WAIT });
    await screenshot(b, "04-replying-warning");
    await b.getByTestId("take-over").click();
    await b.getByTestId("composer").waitFor({ timeout: WAIT });
    // The server moved the claim to B (recorded in the activity), so B's reply is not "blocked".
    await b.getByTestId("activity").getByText("佐藤が返信を始めました").waitFor({ timeout: REALTIME });
  });

  it("A sends after the confirmation (external recipient marked) and the undo window", async () => {
    await a.getByTestId("compose-body").fill("山田様\n\n請求書を再発行し、本日お送りしました。\n\n田中");
    await a.getByTestId("compose-send").click();
    const confirm = a.getByTestId("send-confirm");
    await confirm.waitFor({ timeout: WAIT });
    const external = confirm.locator("li.external");
    await expect(external.textContent()).resolves.toContain("yamada@client.co.jp");
    await screenshot(a, "05-send-confirm");
    await confirm.getByRole("checkbox").check();
    await a.getByTestId("confirm-send").click();
    await a.getByTestId("undo-bar").waitFor({ timeout: WAIT });
    await a.getByTestId("composer").waitFor({ state: "detached", timeout: 15_000 });
    await a
      .locator("[data-testid=message].outbound")
      .filter({ hasText: "本日お送りしました" })
      .waitFor({ timeout: WAIT });
  });

  it("refuses B's send with A's reply shown; sending anyway is explicit and recorded", async () => {
    await b.getByTestId("compose-body").fill("山田様\n\n確認いたします。\n\n佐藤");
    await b.getByTestId("compose-send").click();
    await b.getByTestId("send-confirm").getByRole("checkbox").check({ timeout: WAIT });
    await b.getByTestId("confirm-send").click();
    const conflict = b.getByTestId("conflict");
    await conflict.waitFor({ timeout: 15_000 });
    await expect(conflict.textContent()).resolves.toContain("田中さんが");
    await expect(b.getByTestId("conflict-text").textContent()).resolves.toContain("請求書を再発行し");
    await screenshot(b, "06-send-refused");
    await b.getByTestId("send-anyway").click();
    await b.getByTestId("composer").waitFor({ state: "detached", timeout: 15_000 });
    await b
      .getByTestId("activity")
      .getByText("佐藤が警告を確認したうえで返信しました")
      .waitFor({ timeout: WAIT });
  });

  it("a status change by A appears for B without reload", async () => {
    const statusA = a.getByTestId("status-select");
    await expect.poll(() => statusA.inputValue(), { timeout: REALTIME }).toBe("done");
    await statusA.selectOption("waiting");
    await expect
      .poll(() => b.getByTestId("status-select").inputValue(), { timeout: REALTIME })
      .toBe("waiting");
    await b
      .getByTestId("activity")
      .getByText("田中がステータスを「保留」にしました")
      .waitFor({ timeout: REALTIME });
  });

  it("an @mention in the chat notifies B", async () => {
    const input = a.getByTestId("chat-input");
    await input.click();
    await input.pressSequentially("@sa", { delay: 20 });
    const menu = a.getByTestId("mention-menu");
    await menu.getByText("佐藤").waitFor({ timeout: WAIT });
    await input.press("Enter");
    await expect.poll(() => input.inputValue(), { timeout: WAIT }).toBe("@sato ");
    await input.pressSequentially("再送の件、確認お願いします", { delay: 5 });
    await expect(input.inputValue()).resolves.toBe("@sato 再送の件、確認お願いします");
    await a.getByRole("button", { name: "投稿" }).click();
    await b
      .getByTestId("toast-notification")
      .filter({ hasText: "田中さんからメンション" })
      .waitFor({ timeout: REALTIME });
    await expect(b.getByTestId("notification-count").textContent()).resolves.toBe("1");
    await b.getByTestId("comment").filter({ hasText: "確認お願いします" }).waitFor({ timeout: REALTIME });
    await screenshot(b, "07-mention");
  });

  it("converges after B's realtime connection was down, without a reload", async () => {
    await b.goto(`${srv.baseUrl}/#/inbox/${inboxId}/c/${conv.html}`);
    const assignee = b.getByTestId("assignee-select");
    // The conversation loaded (an empty select also shows before it has), and B is connected:
    // only then is what B shows its state rather than a request still on its way.
    await b.getByTestId("mail-frame").waitFor({ timeout: WAIT });
    await expect.poll(() => bSockets.length, { timeout: WAIT }).toBeGreaterThan(0);
    await expect.poll(() => assignee.inputValue(), { timeout: WAIT }).toBe("");
    let goOnline = () => {};
    bOffline = true;
    bGate = new Promise((resolve) => {
      goOnline = () => {
        bOffline = false;
        resolve();
      };
    });
    await Promise.all(bSockets.map((ws) => ws.close()));
    bSockets = [];
    await b.getByText("サーバーに接続できません").waitFor({ timeout: WAIT });
    // What B asked for while still connected (the join's refresh, a pull a nudge started) may
    // still be on its way; answered after the change below, it would show it. So B's HTTP goes
    // quiet first: nothing in flight for half a second.
    let quietSince = Date.now();
    await expect
      .poll(
        () => {
          if (bRequests > 0) quietSince = Date.now();
          return Date.now() - quietSince >= 500;
        },
        { timeout: WAIT, interval: 50 },
      )
      .toBe(true);
    // A change B's browser cannot hear about while it is cut off.
    await assignConversation(srv.server.core.ctx, {
      conversationId: conv.html,
      userId: tanakaId,
      assigneeId: tanakaId,
    });
    await b.waitForTimeout(1500);
    expect(await assignee.inputValue()).toBe("");
    goOnline();
    // The held reconnect goes through: B rejoins, sees the inbox ahead of its cursor and pulls.
    await expect.poll(() => assignee.inputValue(), { timeout: 15_000 }).toBe(String(tanakaId));
    await b.getByText("サーバーに接続できません").waitFor({ state: "detached", timeout: WAIT });
  });

  it("renders HTML mail without running its script or loading remote images", async () => {
    await b.goto(`${srv.baseUrl}/#/inbox/${inboxId}/c/${conv.html}`);
    const frame = b.getByTestId("mail-frame");
    await frame.waitFor({ timeout: WAIT });
    await expect(frame.getAttribute("sandbox")).resolves.not.toContain("allow-scripts");
    await b.frameLocator('[data-testid="mail-frame"]').getByText("新製品のご案内").waitFor({ timeout: WAIT });
    await b.getByTestId("show-images").waitFor({ timeout: WAIT });
    await b.waitForTimeout(1000);
    expect(await b.evaluate("window.__pwned")).toBeUndefined();
    expect(
      await b.evaluate("document.querySelector('[data-testid=mail-frame]').contentWindow.__pwned"),
    ).toBeUndefined();
    expect(images.requests).toEqual([]);
    await screenshot(b, "08-html-mail");
    // The user's explicit choice loads them (and still runs no script).
    await b.getByTestId("show-images").click();
    await expect.poll(() => images.requests.length, { timeout: WAIT }).toBeGreaterThan(0);
    expect(await b.evaluate("window.__pwned")).toBeUndefined();
  });

  it("works at 375×812 with touch: list → conversation → reply, no horizontal scroll", async () => {
    const phone = await browser.newContext({
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
      locale: "ja-JP",
    });
    try {
      const p = await phone.newPage();
      p.on("pageerror", (e) => pageErrors.push(e.message));
      await login(p, srv.baseUrl, "sato@example.co.jp", PASSWORD);
      expect(await scrollWidth(p)).toBeLessThanOrEqual(375);
      await screenshot(p, "09-mobile-inboxes");
      await p.getByTestId("inbox-card").filter({ hasText: "サポート窓口" }).tap();
      const row = p.getByTestId("conversation-row").filter({ hasText: "配送状況の確認" });
      await row.waitFor({ timeout: WAIT });
      expect(await scrollWidth(p)).toBeLessThanOrEqual(375);
      await screenshot(p, "10-mobile-list");
      await row.tap();
      await p.getByTestId("conversation").waitFor({ timeout: WAIT });
      await p.getByTestId("message").first().waitFor({ timeout: WAIT });
      expect(await scrollWidth(p)).toBeLessThanOrEqual(375);
      await screenshot(p, "11-mobile-conversation");
      await p.getByTestId("reply-button").tap();
      await p.getByTestId("composer").waitFor({ timeout: WAIT });
      // A template filled by the server for this customer and agent, inserted at the caret.
      await p.getByLabel("テンプレート").selectOption({ label: "配送のご案内" });
      await expect
        .poll(() => p.getByTestId("compose-body").inputValue(), { timeout: WAIT })
        .toContain("山田 太郎 様\n\n配送状況の資料を添付いたします。\n\n佐藤");
      expect(await scrollWidth(p)).toBeLessThanOrEqual(375);
      await p.getByTestId("composer").scrollIntoViewIfNeeded();
      await screenshot(p, "12-mobile-reply");
      await p.getByTestId("compose-send").tap();
      await p.getByTestId("send-confirm").waitFor({ timeout: WAIT });
      // "添付" in the text with nothing attached: the confirmation warns.
      await p.getByTestId("attachment-warning").waitFor({ timeout: WAIT });
      expect(await scrollWidth(p)).toBeLessThanOrEqual(375);
      await screenshot(p, "13-mobile-confirm");
    } finally {
      await phone.close();
    }
  });

  it("raised no uncaught errors in any page", () => {
    expect(pageErrors).toEqual([]);
  });
});
