import { conversations, outboundMessages } from "@madoguchi/db/schema";
import { parseMessage } from "@madoguchi/mail/parse";
import { eq } from "drizzle-orm";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot, scrollWidth } from "./support/browser";
import { rawMail } from "./support/mail";
import { outboundWhere } from "./support/outbound";
import { chromiumDesk } from "./support/team";

// One agent composing in Chromium against the real server. The customer's domain is not
// served here, so a reply gets real queue rows (their delivery attempts go nowhere: the
// test server's resolver is an unreachable loopback port). Every wait is bounded.
const WAIT = 10_000;
const UNDO_SECONDS = 3;
/** A short undo window keeps the suite quick; the default is 10 s. */
const SHORT_UNDO = { undoSendSeconds: UNDO_SECONDS };

/** 送信, the confirmation ticked and confirmed: the message is held in its undo window. */
async function sendAndHold(page: Page, sendButton: string): Promise<void> {
  await page.getByTestId(sendButton).click();
  await page.getByTestId("send-confirm").getByRole("checkbox").check({ timeout: WAIT });
  await page.getByTestId("confirm-send").click();
  await page.getByTestId("undo-send").waitFor({ timeout: WAIT });
}

/**
 * Presses 破棄 in `form` while the autosave `call` (a tRPC procedure) is held back in the
 * network, so the server gets it late; `edit` makes the change that starts that save. Resolves
 * once the save has been answered and the form is gone.
 */
async function discardWhileSaving(page: Page, call: string, form: Locator, edit: () => Promise<void>) {
  const pattern = new RegExp(`/api/trpc/[^?]*${call.replace(".", "\\.")}`);
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(pattern, async (route) => {
    await held;
    await route.continue();
  });
  try {
    const sent = page.waitForRequest(pattern, { timeout: WAIT });
    const answered = page.waitForResponse(pattern, { timeout: WAIT });
    await edit();
    await sent;
    page.once("dialog", (d) => void d.accept());
    await form.getByRole("button", { name: "破棄" }).click();
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await answered;
    await form.waitFor({ state: "detached", timeout: WAIT });
  } finally {
    release();
    await page.unroute(pattern);
  }
}

describe("composer in Chromium: drafts, undo held by the server", () => {
  const desk = chromiumDesk({
    agent: { email: "tanaka@example.co.jp", name: "田中" },
    inbox: { address: "support@example.co.jp", name: "サポート窓口", settings: SHORT_UNDO },
    mail: () =>
      rawMail({
        from: { name: "山田 太郎", address: "yamada@customer.example" },
        to: "support@example.co.jp",
        subject: "見積書の送付依頼",
        messageId: "quote-1@customer.example",
        text: "見積書を送っていただけますか。",
      }),
  });

  const outbound = () =>
    outboundWhere(desk.team.ctx.db, eq(outboundMessages.conversationId, desk.conversationId));
  const openComposer = async () => {
    await desk.page.goto(desk.conversationUrl);
    await desk.page.getByTestId("reply-button").click({ timeout: WAIT });
    await desk.page.getByTestId("composer").waitFor({ timeout: WAIT });
  };

  it("restores Bcc and the body format of a saved draft after a reload", async () => {
    await openComposer();
    await desk.page.getByRole("button", { name: "CC/BCC" }).click();
    await desk.page.getByTestId("compose-bcc").fill("keiri@partner.example");
    await desk.page.getByTestId("compose-format").selectOption("markdown");
    await desk.page.getByTestId("compose-body").fill("山田様\n\n**見積書**をお送りします。\n\n田中");
    await desk.page.getByTestId("draft-state").getByText("下書きを保存しました").waitFor({ timeout: WAIT });
    await desk.page.reload();
    await desk.page.getByTestId("reply-button").click({ timeout: WAIT });
    await desk.page.getByTestId("composer").waitFor({ timeout: WAIT });
    await expect
      .poll(() => desk.page.getByTestId("compose-body").inputValue(), { timeout: WAIT })
      .toContain("**見積書**をお送りします。");
    await expect(desk.page.getByTestId("compose-bcc").inputValue()).resolves.toBe("keiri@partner.example");
    await expect(desk.page.getByTestId("compose-format").inputValue()).resolves.toBe("markdown");
    await screenshot(desk.page, "compose-01-draft-restored");
  });

  it("undo inside the window: nothing is left to send, the Sent copy is gone, the draft is back", async () => {
    await sendAndHold(desk.page, "compose-send");
    // Accepted by the server and held: the queue rows exist, waiting out the window.
    const held = await outbound();
    expect(held.messages).toHaveLength(1);
    expect(held.rows.map((r) => [r.state, r.attempts])).toEqual([
      ["queued", 0],
      ["queued", 0],
    ]);
    await screenshot(desk.page, "compose-02-undo-bar");
    await desk.page.getByTestId("undo-send").click();
    await desk.page.getByText("送信を取り消しました。下書きは残っています。").waitFor({ timeout: WAIT });
    expect(await outbound()).toEqual({ messages: [], rows: [] });
    await expect(desk.page.getByTestId("compose-body").inputValue()).resolves.toContain(
      "**見積書**をお送りします。",
    );
    await expect(desk.page.getByTestId("compose-bcc").inputValue()).resolves.toBe("keiri@partner.example");
    await desk.page
      .getByTestId("activity")
      .getByText("田中が送信を取り消しました")
      .waitFor({ timeout: WAIT });
    await expect(desk.page.locator("[data-testid=message].outbound").count()).resolves.toBe(0);
    await screenshot(desk.page, "compose-03-undone");
  });

  it("a reload inside the window still offers the undo; after the window it is sent once", async () => {
    await sendAndHold(desk.page, "compose-send");
    await desk.page.reload();
    // The composer opens by itself on the send still held, with its undo.
    await desk.page.getByTestId("undo-send").waitFor({ timeout: WAIT });
    await desk.page
      .getByTestId("composer")
      .waitFor({ state: "detached", timeout: (UNDO_SECONDS + 10) * 1000 });
    // Sent as markdown: the Sent copy has an HTML part, shown in the sandboxed frame.
    await expect
      .poll(() => desk.page.locator("[data-testid=message].outbound").count(), { timeout: WAIT })
      .toBe(1);
    // The workers took it after the window: one message, its row attempted (the MX lookup
    // fails here, so it stays queued for a retry), nothing sent twice.
    await expect
      .poll(async () => (await outbound()).rows.map((r) => r.attempts > 0), { timeout: 15_000 })
      .toEqual([true, true]);
    expect((await outbound()).messages).toHaveLength(1);
  });

  it("raised no uncaught errors in the page", () => {
    expect(desk.team.pageErrors).toEqual([]);
  });
});

describe("composer in Chromium: forward with attachments, uploads, new message", () => {
  const PDF = Buffer.from("%PDF-1.4\n請求書\n%%EOF\n");
  const desk = chromiumDesk({
    agent: { email: "sato@example.co.jp", name: "佐藤" },
    inbox: { address: "billing@example.co.jp", name: "請求窓口", settings: SHORT_UNDO },
    mail: () =>
      Buffer.from(
        [
          "From: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <yamada@customer.example>",
          "To: billing@example.co.jp",
          `Subject: =?UTF-8?B?${Buffer.from("請求書の再発行").toString("base64")}?=`,
          "Message-ID: <reissue-1@customer.example>",
          `Date: ${new Date().toUTCString()}`,
          "MIME-Version: 1.0",
          'Content-Type: multipart/mixed; boundary="mix"',
          "",
          "--mix",
          "Content-Type: text/plain; charset=UTF-8",
          "Content-Transfer-Encoding: base64",
          "",
          Buffer.from("先月の請求書を再発行してください。").toString("base64"),
          "--mix",
          'Content-Type: application/pdf; name="=?UTF-8?B?6KuL5rGC5pu4LnBkZg==?="',
          "Content-Transfer-Encoding: base64",
          "Content-Disposition: attachment; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf",
          "",
          PDF.toString("base64"),
          "--mix--",
          "",
        ].join("\r\n"),
      ),
  });

  const sentRaw = async (where: { conversationId?: number; subject?: string }) => {
    const db = desk.team.ctx.db;
    const rows = await db
      .select()
      .from(outboundMessages)
      .where(
        where.conversationId !== undefined
          ? eq(outboundMessages.conversationId, where.conversationId)
          : eq(outboundMessages.subject, where.subject ?? ""),
      );
    return Promise.all(rows.map((m) => desk.team.ctx.blobs.get(m.blobHash)));
  };

  it("forwards with the original's PDF and files added by the picker and by drag-and-drop; restored after reload", async () => {
    await desk.page.goto(desk.conversationUrl);
    await desk.page.getByTestId("forward-button").click({ timeout: WAIT });
    await desk.page.getByTestId("composer").waitFor({ timeout: WAIT });
    await expect
      .poll(() => desk.page.getByTestId("compose-body").inputValue(), { timeout: WAIT })
      .toContain("---------- 転送メッセージ ----------");
    await expect(desk.page.getByTestId("compose-body").inputValue()).resolves.toContain(
      "件名: 請求書の再発行",
    );
    await expect(desk.page.getByTestId("forward-originals").isChecked()).resolves.toBe(true);
    // A forward is no answer to the customer: teammates are not told someone is replying.
    await desk.page.waitForTimeout(1000);
    const [claimed] = await desk.team.ctx.db
      .select({ holder: conversations.replyClaimUserId })
      .from(conversations)
      .where(eq(conversations.id, desk.conversationId));
    expect(claimed?.holder).toBeNull();
    await desk.page.getByTestId("compose-to").fill("keiri@partner.example");
    await desk.page.getByTestId("compose-body").press("Home");
    await desk.page
      .getByTestId("compose-body")
      .pressSequentially("経理部各位 添付の請求書をご確認ください。");

    // File picker: one file, a Japanese name.
    await desk.page.getByTestId("compose-file").setInputFiles({
      name: "見積書 (2026年11月).txt",
      mimeType: "text/plain",
      buffer: Buffer.from("見積: 10,000円\n"),
    });
    await desk.page
      .getByTestId("compose-attachment")
      .filter({ hasText: "見積書 (2026年11月).txt" })
      .waitFor({ timeout: WAIT });
    // Drag-and-drop onto the composer: two files, then one removed again.
    // A string, not a function: the test's tsconfig has no DOM types.
    const dropped = await desk.page.evaluateHandle(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(["メモ"], "メモ.txt", { type: "text/plain" }));
      dt.items.add(new File(["%PDF-1.4 提案"], "提案書.pdf", { type: "application/pdf" }));
      return dt;
    })()`);
    await desk.page.getByTestId("composer").dispatchEvent("dragover", { dataTransfer: dropped });
    await desk.page.getByTestId("composer").dispatchEvent("drop", { dataTransfer: dropped });
    await expect.poll(() => desk.page.getByTestId("compose-attachment").count(), { timeout: WAIT }).toBe(3);
    await desk.page.getByRole("button", { name: "メモ.txt を外す" }).click();
    await expect.poll(() => desk.page.getByTestId("compose-attachment").count(), { timeout: WAIT }).toBe(2);
    await desk.page.getByTestId("draft-state").getByText("下書きを保存しました").waitFor({ timeout: WAIT });
    await screenshot(desk.page, "compose-10-forward-attachments");

    await desk.page.reload();
    await desk.page.getByTestId("reply-button").click({ timeout: WAIT });
    await desk.page.getByTestId("composer").getByText("転送", { exact: true }).waitFor({ timeout: WAIT });
    await expect
      .poll(() => desk.page.getByTestId("compose-attachment").allInnerTexts(), { timeout: WAIT })
      .toEqual([expect.stringContaining("見積書 (2026年11月).txt"), expect.stringContaining("提案書.pdf")]);
    await expect(desk.page.getByTestId("compose-body").inputValue()).resolves.toContain("経理部各位");

    // 添付 is mentioned and files are attached: no warning.
    await desk.page.getByTestId("compose-send").click();
    await desk.page.getByTestId("send-confirm").waitFor({ timeout: WAIT });
    await expect(desk.page.getByTestId("attachment-warning").count()).resolves.toBe(0);
    await desk.page.getByTestId("send-confirm").getByRole("checkbox").check({ timeout: WAIT });
    await desk.page.getByTestId("confirm-send").click();
    await desk.page.getByTestId("undo-send").waitFor({ timeout: WAIT });
    await desk.page
      .getByTestId("composer")
      .waitFor({ state: "detached", timeout: (UNDO_SECONDS + 10) * 1000 });

    const [raw, ...more] = await sentRaw({ conversationId: desk.conversationId });
    expect(more).toEqual([]);
    const parsed = await parseMessage(raw as Buffer);
    expect(parsed.to.map((a) => a.address)).toEqual(["keiri@partner.example"]);
    expect(parsed.attachments.map((a) => a.filename)).toEqual([
      "請求書.pdf",
      "見積書 (2026年11月).txt",
      "提案書.pdf",
    ]);
  });

  it("warns about 添付 when nothing is attached", async () => {
    await desk.page.getByTestId("reply-button").click({ timeout: WAIT });
    await desk.page.getByTestId("composer").waitFor({ timeout: WAIT });
    await desk.page.getByTestId("compose-body").fill("請求書を添付します。");
    await desk.page.getByTestId("compose-send").click();
    await desk.page.getByTestId("attachment-warning").waitFor({ timeout: WAIT });
    await desk.page.getByRole("button", { name: "戻って修正" }).click();
    await desk.page.getByTestId("compose-file").setInputFiles({
      name: "請求書.pdf",
      mimeType: "application/pdf",
      buffer: PDF,
    });
    await desk.page.getByTestId("compose-attachment").waitFor({ timeout: WAIT });
    await desk.page.getByTestId("compose-send").click();
    await desk.page.getByTestId("send-confirm").waitFor({ timeout: WAIT });
    await expect(desk.page.getByTestId("attachment-warning").count()).resolves.toBe(0);
    await desk.page.getByRole("button", { name: "戻って修正" }).click();
    desk.page.once("dialog", (d) => void d.accept());
    await desk.page.getByRole("button", { name: "破棄" }).click();
    await desk.page.getByTestId("composer").waitFor({ state: "detached", timeout: WAIT });
  });

  it("forwards an earlier message of the conversation, not only the last", async () => {
    // The conversation now holds the customer's mail and the forward sent above, newest last.
    await desk.page.goto(desk.conversationUrl);
    const first = desk.page.getByTestId("message").first();
    await first.getByTestId("message-forward").click({ timeout: WAIT });
    await desk.page.getByTestId("composer").waitFor({ timeout: WAIT });
    const body = desk.page.getByTestId("compose-body");
    await expect
      .poll(() => body.inputValue(), { timeout: WAIT })
      .toContain("---------- 転送メッセージ ----------");
    await expect(body.inputValue()).resolves.toContain("先月の請求書を再発行してください。");
    // The quote is of the customer's mail, not of the last message (the forward, with its note).
    await expect(body.inputValue()).resolves.not.toContain("経理部各位");
    await expect(desk.page.getByTestId("forward-originals").isChecked()).resolves.toBe(true);
    desk.page.once("dialog", (d) => void d.accept());
    await desk.page.getByRole("button", { name: "破棄" }).click();
    await desk.page.getByTestId("composer").waitFor({ state: "detached", timeout: WAIT });
  });

  it("破棄 while the draft is being saved deletes it for good: the next reply starts afresh", async () => {
    await desk.page.goto(desk.conversationUrl);
    await desk.page.getByTestId("reply-button").click({ timeout: WAIT });
    const composer = desk.page.getByTestId("composer");
    await composer.waitFor({ timeout: WAIT });
    await discardWhileSaving(desk.page, "draft.save", composer, () =>
      desk.page.getByTestId("compose-body").fill("やはり今回は送らないことにします。"),
    );
    await desk.page.reload();
    await desk.page.getByTestId("reply-button").click({ timeout: WAIT });
    await desk.page.getByTestId("composer").waitFor({ timeout: WAIT });
    await expect(desk.page.getByTestId("compose-body").inputValue()).resolves.not.toContain(
      "やはり今回は送らないことにします。",
    );
    await desk.page.getByTestId("composer").getByRole("button", { name: "閉じる" }).click();
    await desk.page.getByTestId("composer").waitFor({ state: "detached", timeout: WAIT });
  });

  it("破棄 of a new message while its first save is on its way leaves no draft behind", async () => {
    await desk.page.getByTestId("new-message-button").click({ timeout: WAIT });
    const dialog = desk.page.getByTestId("new-message");
    await dialog.waitFor({ timeout: WAIT });
    await discardWhileSaving(desk.page, "compose.saveNewDraft", dialog, () =>
      desk.page.getByTestId("new-subject").fill("取りやめたご案内"),
    );
    await desk.page.reload();
    await desk.page.getByTestId("new-message-button").click({ timeout: WAIT });
    await dialog.waitFor({ timeout: WAIT });
    await expect(desk.page.getByTestId("new-subject").inputValue()).resolves.toBe("");
    await dialog.getByRole("button", { name: "閉じる" }).click();
    await dialog.waitFor({ state: "detached", timeout: WAIT });
  });

  it("新規作成 from the shared address starts a conversation with the chosen status", async () => {
    await desk.page.getByTestId("new-message-button").click({ timeout: WAIT });
    await desk.page.getByTestId("new-message").waitFor({ timeout: WAIT });
    await desk.page.getByTestId("new-to").fill("suzuki@newclient.example");
    await desk.page.getByTestId("new-subject").fill("新サービスのご案内");
    await desk.page.getByTestId("new-body").fill("鈴木様\n\n新しいサービスのご案内です。");
    // A file, then the dialog is closed and the page reloaded: the draft and the file come back.
    await desk.page.getByTestId("new-message").getByTestId("compose-file").setInputFiles({
      name: "サービス資料.pdf",
      mimeType: "application/pdf",
      buffer: PDF,
    });
    await desk.page.getByTestId("compose-attachment").waitFor({ timeout: WAIT });
    await desk.page.getByRole("button", { name: "閉じる" }).click();
    await desk.page.reload();
    await desk.page.getByTestId("new-message-button").click({ timeout: WAIT });
    await expect
      .poll(() => desk.page.getByTestId("new-body").inputValue(), { timeout: WAIT })
      .toContain("新しいサービスのご案内です。");
    await expect(desk.page.getByTestId("new-to").inputValue()).resolves.toBe("suzuki@newclient.example");
    await expect(desk.page.getByTestId("compose-attachment").allInnerTexts()).resolves.toEqual([
      expect.stringContaining("サービス資料.pdf"),
    ]);
    await desk.page.getByRole("dialog").getByRole("combobox").last().selectOption("waiting");
    await screenshot(desk.page, "compose-11-new-message");
    await sendAndHold(desk.page, "new-send");
    // When the window ends the new conversation opens.
    await desk.page
      .getByTestId("conversation")
      .getByText("新サービスのご案内")
      .first()
      .waitFor({ timeout: (UNDO_SECONDS + 10) * 1000 });
    const [raw] = await sentRaw({ subject: "新サービスのご案内" });
    const parsed = await parseMessage(raw as Buffer);
    expect(parsed.from?.address).toBe("billing@example.co.jp");
    expect(parsed.attachments.map((a) => a.filename)).toEqual(["サービス資料.pdf"]);
    const [conv] = await desk.team.ctx.db
      .select()
      .from(conversations)
      .where(eq(conversations.subject, "新サービスのご案内"));
    expect(conv).toMatchObject({
      inboxId: desk.inboxId,
      status: "waiting",
      customerAddress: "suzuki@newclient.example",
    });
    await screenshot(desk.page, "compose-12-new-conversation");
  });

  it("fits a 375 px phone: the new-message dialog, and a reply with a long-named file (no horizontal scroll)", async () => {
    await desk.page.setViewportSize({ width: 375, height: 812 });
    await desk.page.goto(desk.url(`#/inbox/${desk.inboxId}`));
    await desk.page.getByTestId("new-message-button").click({ timeout: WAIT });
    await desk.page.getByTestId("new-message").waitFor({ timeout: WAIT });
    expect(await scrollWidth(desk.page)).toBeLessThanOrEqual(375);
    await screenshot(desk.page, "compose-13-new-message-375");
    await desk.page.getByRole("button", { name: "閉じる" }).click();

    await desk.page.goto(desk.conversationUrl);
    await desk.page.getByTestId("reply-button").click({ timeout: WAIT });
    await desk.page.getByTestId("composer").waitFor({ timeout: WAIT });
    await expect(desk.page.getByTestId("new-message-button").isVisible()).resolves.toBe(false);
    await desk.page.getByTestId("compose-file").setInputFiles({
      name: "2026年度_第3四半期_請求書_株式会社サンプル商事_経理部御中_最終版.pdf",
      mimeType: "application/pdf",
      buffer: PDF,
    });
    await desk.page.getByTestId("compose-attachment").waitFor({ timeout: WAIT });
    expect(await scrollWidth(desk.page)).toBeLessThanOrEqual(375);
    await screenshot(desk.page, "compose-14-attachment-375");
    desk.page.once("dialog", (d) => void d.accept());
    await desk.page.getByRole("button", { name: "破棄" }).click();
    await desk.page.setViewportSize({ width: 1280, height: 860 });
  });

  it("raised no uncaught errors in the page", () => {
    expect(desk.team.pageErrors).toEqual([]);
  });
});
