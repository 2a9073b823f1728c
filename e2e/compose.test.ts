import { addDomain, addSharedInbox, addUser, deliver } from "@madoguchi/core";
import { outboundMessages, outboundQueue } from "@madoguchi/db/schema";
import { eq, inArray } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, login, screenshot } from "./support/browser";
import { rawMail } from "./support/mail";
import { ensureWebBuilt, startTestServer, type TestServer } from "./support/server";

// One agent composing in Chromium against the real server. The customer's domain is not
// served here, so a reply gets real queue rows (their delivery attempts go nowhere: the
// test server's resolver is an unreachable loopback port). Every wait is bounded.
const WAIT = 10_000;
const UNDO_SECONDS = 3;
const PASSWORD = "correct horse battery";

describe("composer in Chromium: drafts, undo held by the server", () => {
  let srv: TestServer;
  let browser: Browser;
  let page: Page;
  let inboxId = 0;
  let conversationId = 0;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuilt();
    srv = await startTestServer();
    const ctx = srv.server.core.ctx;
    await addDomain(ctx, "example.co.jp");
    await addUser(ctx, { email: "tanaka@example.co.jp", name: "田中", password: PASSWORD });
    const inbox = await addSharedInbox(ctx, {
      address: "support@example.co.jp",
      name: "サポート窓口",
      memberEmails: ["tanaka@example.co.jp"],
      settings: { undoSendSeconds: UNDO_SECONDS },
    });
    inboxId = inbox.id;
    const delivered = await deliver(
      ctx,
      inbox.id,
      rawMail({
        from: { name: "山田 太郎", address: "yamada@customer.example" },
        to: "support@example.co.jp",
        subject: "見積書の送付依頼",
        messageId: "quote-1@customer.example",
        text: "見積書を送っていただけますか。",
      }),
    );
    conversationId = delivered.conversationId ?? 0;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: "ja-JP" });
    page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await login(page, srv.baseUrl, "tanaka@example.co.jp", PASSWORD);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  const outbound = async () => {
    const db = srv.server.core.ctx.db;
    const messages = await db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.conversationId, conversationId));
    const rows = messages.length
      ? await db
          .select()
          .from(outboundQueue)
          .where(
            inArray(
              outboundQueue.outboundMessageId,
              messages.map((m) => m.id),
            ),
          )
      : [];
    return { messages, rows };
  };
  const openComposer = async () => {
    await page.goto(`${srv.baseUrl}/#/inbox/${inboxId}/c/${conversationId}`);
    await page.getByTestId("reply-button").click({ timeout: WAIT });
    await page.getByTestId("composer").waitFor({ timeout: WAIT });
  };

  it("restores Bcc and the body format of a saved draft after a reload", async () => {
    await openComposer();
    await page.getByRole("button", { name: "CC/BCC" }).click();
    await page.getByTestId("compose-bcc").fill("keiri@partner.example");
    await page.getByTestId("compose-format").selectOption("markdown");
    await page.getByTestId("compose-body").fill("山田様\n\n**見積書**をお送りします。\n\n田中");
    await page.getByTestId("draft-state").getByText("下書きを保存しました").waitFor({ timeout: WAIT });
    await page.reload();
    await page.getByTestId("reply-button").click({ timeout: WAIT });
    await page.getByTestId("composer").waitFor({ timeout: WAIT });
    await expect
      .poll(() => page.getByTestId("compose-body").inputValue(), { timeout: WAIT })
      .toContain("**見積書**をお送りします。");
    await expect(page.getByTestId("compose-bcc").inputValue()).resolves.toBe("keiri@partner.example");
    await expect(page.getByTestId("compose-format").inputValue()).resolves.toBe("markdown");
    await screenshot(page, "compose-01-draft-restored");
  });

  it("undo inside the window: nothing is left to send, the Sent copy is gone, the draft is back", async () => {
    await page.getByTestId("compose-send").click();
    await page.getByTestId("send-confirm").getByRole("checkbox").check({ timeout: WAIT });
    await page.getByTestId("confirm-send").click();
    await page.getByTestId("undo-send").waitFor({ timeout: WAIT });
    // Accepted by the server and held: the queue rows exist, waiting out the window.
    const held = await outbound();
    expect(held.messages).toHaveLength(1);
    expect(held.rows.map((r) => [r.state, r.attempts])).toEqual([
      ["queued", 0],
      ["queued", 0],
    ]);
    await screenshot(page, "compose-02-undo-bar");
    await page.getByTestId("undo-send").click();
    await page.getByText("送信を取り消しました。下書きは残っています。").waitFor({ timeout: WAIT });
    expect(await outbound()).toEqual({ messages: [], rows: [] });
    await expect(page.getByTestId("compose-body").inputValue()).resolves.toContain(
      "**見積書**をお送りします。",
    );
    await expect(page.getByTestId("compose-bcc").inputValue()).resolves.toBe("keiri@partner.example");
    await page.getByTestId("activity").getByText("田中が送信を取り消しました").waitFor({ timeout: WAIT });
    await expect(page.locator("[data-testid=message].outbound").count()).resolves.toBe(0);
    await screenshot(page, "compose-03-undone");
  });

  it("a reload inside the window still offers the undo; after the window it is sent once", async () => {
    await page.getByTestId("compose-send").click();
    await page.getByTestId("send-confirm").getByRole("checkbox").check({ timeout: WAIT });
    await page.getByTestId("confirm-send").click();
    await page.getByTestId("undo-send").waitFor({ timeout: WAIT });
    await page.reload();
    await page.getByTestId("reply-button").click({ timeout: WAIT });
    await page.getByTestId("undo-send").waitFor({ timeout: WAIT });
    await page.getByTestId("composer").waitFor({ state: "detached", timeout: (UNDO_SECONDS + 10) * 1000 });
    // Sent as markdown: the Sent copy has an HTML part, shown in the sandboxed frame.
    await expect
      .poll(() => page.locator("[data-testid=message].outbound").count(), { timeout: WAIT })
      .toBe(1);
    // The workers took it after the window: one message, its row attempted (the MX lookup
    // fails here, so it stays queued for a retry), nothing sent twice.
    await expect
      .poll(async () => (await outbound()).rows.map((r) => r.attempts > 0), { timeout: 15_000 })
      .toEqual([true, true]);
    expect((await outbound()).messages).toHaveLength(1);
  });

  it("raised no uncaught errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
