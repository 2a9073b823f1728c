import { deliver } from "@madoguchi/core";
import { conversations, drafts, outboundMessages } from "@madoguchi/db/schema";
import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { screenshot } from "./support/browser";
import { rawMail } from "./support/mail";
import { outboundWhere } from "./support/outbound";
import { chromiumTeam, DESKTOP } from "./support/team";

// 新規作成 → 送信 → 取り消す in Chromium against the real server, with a teammate watching the
// inbox list in a second browser. The undo window is long enough for the teammate's list to
// show the row (and, in the second case, for them to open it and comment) before 取り消す is
// clicked; the test never waits the window out, so its length costs nothing. Every wait is bounded.
const WAIT = 15_000;
/** Long: under load, send → the teammate's rows → (their comment) → 取り消す must fit in it. */
const UNDO_SECONDS = 60;

const A = { email: "tanaka@example.co.jp", name: "田中" };
const B = { email: "suzuki@example.co.jp", name: "鈴木" };

describe("undo of a new message (新規作成) in Chromium, watched by a teammate", () => {
  const team = chromiumTeam({
    agents: [A, B],
    inboxes: [
      { address: "support@example.co.jp", name: "サポート窓口", settings: { undoSendSeconds: UNDO_SECONDS } },
      // A local recipient: its copy arrives at send time, inside the window.
      { address: "sales@example.co.jp", name: "営業窓口" },
    ],
  });
  const support = () => team.inboxIds[0] ?? 0;
  const sales = () => team.inboxIds[1] ?? 0;
  const listUrl = (inboxId: number) => `${team.srv.baseUrl}/#/inbox/${inboxId}`;
  const row = (page: Page, subject: string) =>
    page.getByTestId("conversation-row").filter({ hasText: subject });

  /** What the server would deliver for this subject: the Sent copy and its queue rows. */
  const outbound = async (subject: string) => {
    const { messages, rows } = await outboundWhere(team.ctx.db, eq(outboundMessages.subject, subject));
    return { messages: messages.length, rows: rows.flatMap((r) => r.recipients) };
  };
  const conversationsIn = async (inboxId: number, subject: string) =>
    (
      await team.ctx.db
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(eq(conversations.inboxId, inboxId), eq(conversations.subject, subject)))
    ).map((c) => c.id);

  /** A opens 新規作成 from the support address and writes the message. */
  const compose = async (
    page: Page,
    m: { to: string; bcc?: string; subject: string; body: string; markdown?: boolean },
  ) => {
    await page.getByTestId("new-message-button").click({ timeout: WAIT });
    const form = page.getByTestId("new-message");
    await form.waitFor({ timeout: WAIT });
    await page.getByTestId("new-from").selectOption(String(support()));
    await page.getByTestId("new-to").fill(m.to);
    if (m.bcc) await form.getByLabel("BCC", { exact: true }).fill(m.bcc);
    await page.getByTestId("new-subject").fill(m.subject);
    if (m.markdown) await form.getByLabel("書式").selectOption("markdown");
    await page.getByTestId("new-body").fill(m.body);
  };
  /** 送信, the confirmation ticked and confirmed: the message is held in its undo window. */
  const sendAndHold = async (page: Page) => {
    await page.getByTestId("new-send").click();
    await page.getByTestId("send-confirm").getByRole("checkbox").check({ timeout: WAIT });
    await page.getByTestId("confirm-send").click();
    await page.getByTestId("undo-send").waitFor({ timeout: WAIT });
  };
  /**
   * 取り消す: the dialog's form comes back. Only a cancel the server accepted brings it back; an
   * undo that did nothing leaves the undo bar up, and a refused one closes the dialog. (Not the
   * toast: it shows for 4 s only.)
   */
  const undo = async (page: Page) => {
    await page.getByTestId("undo-send").click();
    await page.getByTestId("new-message").waitFor({ timeout: WAIT });
    await expect(page.getByTestId("undo-bar").count()).resolves.toBe(0);
  };
  /** The form's fields as the user sees them. */
  const formValues = async (page: Page) => {
    const form = page.getByTestId("new-message");
    return {
      from: await page.getByTestId("new-from").inputValue(),
      to: await page.getByTestId("new-to").inputValue(),
      bcc: await form.getByLabel("BCC", { exact: true }).inputValue(),
      subject: await page.getByTestId("new-subject").inputValue(),
      format: await form.getByLabel("書式").inputValue(),
      body: await page.getByTestId("new-body").inputValue(),
    };
  };

  let pageA: Page;
  let pageB: Page;
  let salesB: Page;

  it("undo inside the window: the row appears and goes live for the teammate, nothing is delivered, the composer comes back", async () => {
    // An existing customer conversation, so the list is not trivially empty.
    await deliver(
      team.ctx,
      support(),
      rawMail({
        from: { name: "山田 太郎", address: "yamada@customer.example" },
        to: "support@example.co.jp",
        subject: "既存のお問い合わせ",
        messageId: "existing-1@customer.example",
        text: "以前の件です。",
      }),
    );
    pageA = await team.openPage(DESKTOP);
    await team.login(pageA, A.email);
    await pageA.goto(listUrl(support()));
    // B watches the support list in one browser and the sales list (the local recipient) in another.
    pageB = await team.openPage(DESKTOP);
    await team.login(pageB, B.email);
    await pageB.goto(listUrl(support()));
    // すべて: a new message is 対応済み once sent (the composer's default), not in the 未対応 tab.
    await pageB.getByTestId("tab-all").click({ timeout: WAIT });
    await row(pageB, "既存のお問い合わせ").waitFor({ timeout: WAIT });
    salesB = await team.openPage(DESKTOP);
    await team.login(salesB, B.email);
    await salesB.goto(listUrl(sales()));
    await salesB.getByTestId("tab-all").click({ timeout: WAIT });
    await salesB.getByTestId("conversation-list").waitFor({ timeout: WAIT });

    const subject = "会社概要のご送付";
    const message = {
      to: "jiro@newclient.example",
      bcc: "sales@example.co.jp",
      subject,
      body: "次郎様\n\nはじめてご連絡いたします。**会社概要**をお送りします。\n\n田中",
    };
    await compose(pageA, { ...message, markdown: true });
    await sendAndHold(pageA);

    // Held by the server: the conversation is listed for the teammate, live, and the local
    // recipient's inbox has its copy; the external recipient's queue row waits out the window.
    await row(pageB, subject).waitFor({ timeout: WAIT });
    await row(salesB, subject).waitFor({ timeout: WAIT });
    expect(await outbound(subject)).toEqual({ messages: 1, rows: ["jiro@newclient.example"] });
    expect(await conversationsIn(sales(), subject)).toHaveLength(1);
    await screenshot(pageB, "undo-new-01-teammate-sees-row");

    await undo(pageA);
    // A's composer has the message back as it was written.
    expect(await formValues(pageA)).toEqual({ ...message, from: String(support()), format: "markdown" });
    await screenshot(pageA, "undo-new-02-composer-back");

    // Gone for the teammate without a reload: from the sender's list and the recipient's.
    await row(pageB, subject).waitFor({ state: "detached", timeout: WAIT });
    await row(salesB, subject).waitFor({ state: "detached", timeout: WAIT });
    await expect(row(pageB, "既存のお問い合わせ").count()).resolves.toBe(1);
    await screenshot(pageB, "undo-new-03-teammate-row-gone");

    // Nothing left to deliver: no Sent copy, no queue row, no conversation on either side.
    expect(await outbound(subject)).toEqual({ messages: 0, rows: [] });
    expect(await conversationsIn(support(), subject)).toEqual([]);
    expect(await conversationsIn(sales(), subject)).toEqual([]);

    // The server kept it as A's new-message draft: a reload brings it back in the dialog.
    const [draft] = await team.ctx.db
      .select()
      .from(drafts)
      .where(and(eq(drafts.authorId, team.agentIds[0] ?? 0), eq(drafts.inboxId, support())));
    expect(draft).toMatchObject({
      conversationId: null,
      state: "editing",
      content: { to: [message.to], bcc: [message.bcc], subject, format: "markdown" },
    });
    await pageA.reload();
    await pageA.getByTestId("new-message-button").click({ timeout: WAIT });
    await expect.poll(() => pageA.getByTestId("new-body").inputValue(), { timeout: WAIT }).toBe(message.body);
    expect(await formValues(pageA)).toEqual({ ...message, from: String(support()), format: "markdown" });

    // 破棄 clears it for the next case.
    pageA.once("dialog", (d) => void d.accept());
    await pageA.getByRole("button", { name: "破棄" }).click();
    await pageA.getByTestId("new-message-dialog").waitFor({ state: "detached", timeout: WAIT });
  });

  it("a teammate comments inside the window: the conversation stays, without the message, and the draft comes back", async () => {
    const subject = "ご挨拶";
    const message = { to: "shiro@newclient.example", subject, body: "四郎様\n\nよろしくお願いいたします。" };
    await compose(pageA, message);
    await sendAndHold(pageA);

    // B opens the new conversation from the list and writes in its chat before the window ends.
    await row(pageB, subject).click({ timeout: WAIT });
    const conversation = pageB.getByTestId("conversation");
    await conversation.getByText(subject).first().waitFor({ timeout: WAIT });
    await pageB.getByTestId("chat").getByRole("textbox").fill("この件は私も把握しています");
    await pageB.getByTestId("chat").getByRole("button", { name: "投稿" }).click();
    await pageB
      .getByTestId("comment")
      .filter({ hasText: "この件は私も把握しています" })
      .waitFor({ timeout: WAIT });
    await expect
      .poll(() => conversation.locator("[data-testid=message].outbound").count(), { timeout: WAIT })
      .toBe(1);

    await undo(pageA);
    expect(await formValues(pageA)).toEqual({
      ...message,
      from: String(support()),
      bcc: "",
      format: "plain",
    });

    // B's open conversation follows live: the cancel is in its activity, the message is gone,
    // the comment stays, and the row is still listed.
    await pageB.getByTestId("activity").getByText("田中が送信を取り消しました").waitFor({ timeout: WAIT });
    await expect.poll(() => conversation.locator("[data-testid=message]").count(), { timeout: WAIT }).toBe(0);
    await expect(pageB.getByTestId("comment").count()).resolves.toBe(1);
    await expect(row(pageB, subject).count()).resolves.toBe(1);
    expect(await conversationsIn(support(), subject)).toHaveLength(1);
    expect(await outbound(subject)).toEqual({ messages: 0, rows: [] });
    await screenshot(pageB, "undo-new-04-commented-conversation-kept");

    pageA.once("dialog", (d) => void d.accept());
    await pageA.getByRole("button", { name: "破棄" }).click();
    await pageA.getByTestId("new-message-dialog").waitFor({ state: "detached", timeout: WAIT });
  });

  it("raised no uncaught errors in the pages", () => {
    expect(team.pageErrors).toEqual([]);
  });
});
