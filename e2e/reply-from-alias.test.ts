import { addDomain, addUser, changeInboxAliases, findInboxByAddress } from "@madoguchi/core";
import { messages, outboundMessages } from "@madoguchi/db/schema";
import { parseMessage } from "@madoguchi/mail/parse";
import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { screenshot } from "./support/browser";
import { outboundWhere } from "./support/outbound";
import { chromiumTeam, DESKTOP, PASSWORD } from "./support/team";

// お問い合わせ (info@example.co.jp) also answers at otoiawase@example.co.jp and info@example.jp.
// A customer writes to an alias over SMTP; the agent's reply goes out from that alias (the
// composer says so), a forward from the main address. The customer's domain is not served
// here, so the reply gets real queue rows whose delivery attempts go nowhere.
const WAIT = 10_000;
const UNDO_SECONDS = 2;
const ALIAS = "otoiawase@example.co.jp";

describe("web app in Chromium: a reply goes out from the address the customer wrote to", () => {
  const team = chromiumTeam({
    agents: [{ email: "tanaka@example.co.jp", name: "田中" }],
    inboxes: [
      { address: "info@example.co.jp", name: "お問い合わせ", settings: { undoSendSeconds: UNDO_SECONDS } },
    ],
  });
  let page: Page;
  const inboxId = () => team.inboxIds[0] ?? 0;

  beforeAll(async () => {
    await addDomain(team.ctx, "example.jp");
    await changeInboxAliases(team.ctx, inboxId(), { add: [ALIAS, "info@example.jp"] });
    // A colleague at the alias's domain: internal, though not at the inbox's own domain.
    await addUser(team.ctx, { email: "sato@example.jp", name: "佐藤", password: PASSWORD });
    page = await team.openPage(DESKTOP);
    await team.login(page, "tanaka@example.co.jp");
  }, 60_000);

  /** The customer's mail through the MX to `to` (the envelope), opened in the inbox. */
  async function receiveAndOpen(to: string, headerTo: string, subject: string, key: string) {
    const answer = await team.receiveOverSmtp(to, {
      from: { name: "木村 次郎", address: "kimura@customer.example" },
      to: headerTo,
      subject,
      messageId: `${key}@customer.example`,
      text: "カタログを送ってください。",
    });
    expect(answer).toMatch(/^250 /);
    await page.goto(`${team.srv.baseUrl}/#/inbox/${inboxId()}`);
    await page.getByTestId("conversation-row").getByText(subject).click({ timeout: WAIT });
  }

  it("reply-all to mail for an alias: sent from the alias, the colleague at its domain not external", async () => {
    await receiveAndOpen(ALIAS, `${ALIAS}, sato@example.jp`, "資料請求", "catalog-1");
    await page.getByRole("button", { name: "全員に返信" }).click();
    const composer = page.getByTestId("composer");
    await expect
      .poll(() => composer.getByTestId("compose-from").textContent(), { timeout: WAIT })
      .toBe(`差出人: ${ALIAS}`);
    await expect(composer.getByLabel("CC", { exact: true }).inputValue()).resolves.toBe("sato@example.jp");
    await composer.getByTestId("compose-body").fill("木村様\n\nカタログをお送りします。\n\n田中");
    await screenshot(page, "reply-from-alias-01-composer");

    await composer.getByTestId("compose-send").click();
    const confirm = page.getByTestId("send-confirm");
    const recipients = confirm.getByTestId("confirm-recipient");
    await recipients.first().waitFor({ timeout: WAIT });
    const marked = recipients.evaluateAll((li) =>
      li.map((l) => [l.querySelector(".addr")?.textContent, l.classList.contains("external")]),
    );
    await expect(marked).resolves.toEqual([
      ["木村 次郎 <kimura@customer.example>", true],
      ["sato@example.jp", false],
    ]);
    await screenshot(page, "reply-from-alias-02-confirm");
    await confirm.getByRole("checkbox").check();
    await page.getByTestId("confirm-send").click();
    await composer.waitFor({ state: "detached", timeout: (UNDO_SECONDS + 10) * 1000 });

    // Queued to the customer, envelope and From header the alias, under the inbox's name.
    const sent = await outboundWhere(team.ctx.db, eq(outboundMessages.subject, "Re: 資料請求"));
    expect(sent.messages.map((m) => m.mailFrom)).toEqual([ALIAS]);
    expect(sent.rows.flatMap((r) => r.recipients)).toEqual(["kimura@customer.example"]);
    const queued = await parseMessage(await team.ctx.blobs.get(sent.messages[0]?.blobHash ?? ""));
    expect(queued.from).toEqual({ name: "お問い合わせ", address: ALIAS });
    // The colleague's copy, delivered here, is from the alias too.
    const sato = await findInboxByAddress(team.ctx.db, "sato@example.jp");
    const delivered = await team.ctx.db
      .select({ fromAddress: messages.fromAddress })
      .from(messages)
      .where(and(eq(messages.inboxId, sato?.id ?? 0), eq(messages.subject, "Re: 資料請求")));
    expect(delivered).toEqual([{ fromAddress: ALIAS }]);
  });

  it("mail for the main address is answered from it, and a forward always goes from it", async () => {
    await receiveAndOpen("info@example.co.jp", "info@example.co.jp", "納期の確認", "due-1");
    await page.getByTestId("reply-button").click();
    const composer = page.getByTestId("composer");
    await expect
      .poll(() => composer.getByTestId("compose-from").textContent(), { timeout: WAIT })
      .toBe("差出人: info@example.co.jp");
    await composer.getByRole("button", { name: "閉じる" }).click();

    await receiveAndOpen(ALIAS, ALIAS, "見本の送付", "sample-1");
    await page.getByTestId("forward-button").click();
    await expect
      .poll(() => composer.getByTestId("compose-from").textContent(), { timeout: WAIT })
      .toBe("差出人: info@example.co.jp");
    await composer.getByRole("button", { name: "閉じる" }).click();
  });

  it("raised no uncaught errors in the page", () => {
    expect(team.pageErrors).toEqual([]);
  });
});
