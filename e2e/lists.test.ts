import { assignConversation, deliver, listMessages, setStatus } from "@madoguchi/core";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { screenshot, scrollWidth } from "./support/browser";
import { rawMail } from "./support/mail";
import { chromiumTeam, DESKTOP, PHONE } from "./support/team";

// "担当: 自分" in Chromium: an agent in two shared inboxes sees, at the top of the inbox list,
// the conversations assigned to them in both, updated live when a teammate assigns one.
const WAIT = 10_000;
const REALTIME = 8_000;

describe("web app in Chromium: assigned to me across inboxes", () => {
  const team = chromiumTeam({
    agents: [
      { email: "tanaka@example.co.jp", name: "田中" },
      { email: "sato@example.co.jp", name: "佐藤" },
    ],
    inboxes: [
      { address: "support@example.co.jp", name: "サポート窓口" },
      { address: "sales@example.co.jp", name: "営業窓口" },
    ],
  });
  let a: Page;
  let m: Page;
  let tanakaId = 0;
  let satoId = 0;
  const conv = { support1: 0, support2: 0, sales1: 0 };
  let salesMailboxId = 0;

  beforeAll(async () => {
    const ctx = team.ctx;
    [tanakaId = 0, satoId = 0] = team.agentIds;
    const [supportId = 0, salesId = 0] = team.inboxIds;
    const customer = { name: "山田 太郎", address: "yamada@client.example" };
    const put = async (inboxId: number, subject: string, id: string, minutesAgo: number) => {
      const d = await deliver(
        ctx,
        inboxId,
        rawMail({
          from: customer,
          to: "x@example.co.jp",
          subject,
          text: `${subject}についてのお問い合わせです。`,
          messageId: `${id}@client.example`,
          date: new Date(Date.now() - minutesAgo * 60_000),
        }),
      );
      if (inboxId === salesId) salesMailboxId = d.mailboxId;
      return d.conversationId ?? 0;
    };
    conv.support1 = await put(supportId, "配送状況の確認", "s1", 30);
    conv.support2 = await put(supportId, "返品の手続き", "s2", 20);
    conv.sales1 = await put(salesId, "見積もりのお願い", "e1", 10);
    await assignConversation(ctx, { conversationId: conv.support1, userId: satoId, assigneeId: tanakaId });
    a = await team.openPage(DESKTOP);
    m = await team.openPage(PHONE);
  }, 120_000);

  const rowIds = (p: Page) =>
    p
      .getByTestId("conversation-row")
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-conversation-id"))));

  it("shows 担当: 自分 first in the inbox list, and lists the agent's conversations", async () => {
    await team.login(a, "tanaka@example.co.jp");
    const entry = a.getByTestId("assigned-entry");
    await expect(entry.textContent()).resolves.toContain("担当: 自分");
    await expect
      .poll(() => a.getByTestId("assigned-count").textContent(), { timeout: WAIT })
      .toBe("未完了 1");
    const order = await a
      .locator(".inbox-cards a")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-testid")));
    // The entry comes before every inbox card (two shared inboxes and the personal one).
    expect(order).toEqual(["assigned-entry", "inbox-card", "inbox-card", "inbox-card"]);
    await entry.click();
    await expect.poll(() => rowIds(a), { timeout: WAIT }).toEqual([conv.support1]);
    await expect(a.getByTestId("row-inbox").first().textContent()).resolves.toBe("サポート窓口");
    await expect(a.getByTestId("tab-open").textContent()).resolves.toContain("1");
    await screenshot(a, "lists-01-assigned-desktop");
  });

  it("updates live when a teammate assigns in another inbox, or changes a status", async () => {
    const ctx = team.ctx;
    await assignConversation(ctx, { conversationId: conv.sales1, userId: satoId, assigneeId: tanakaId });
    await expect.poll(() => rowIds(a), { timeout: REALTIME }).toEqual([conv.sales1, conv.support1]);
    await expect(a.getByTestId("row-inbox").first().textContent()).resolves.toBe("営業窓口");
    await setStatus(ctx, { conversationId: conv.support1, userId: satoId, status: "in_progress" });
    await expect.poll(() => rowIds(a), { timeout: REALTIME }).toEqual([conv.sales1]);
    await a.getByTestId("tab-in_progress").click();
    await expect.poll(() => rowIds(a), { timeout: WAIT }).toEqual([conv.support1]);
    await expect(a.getByTestId("tab-in_progress").textContent()).resolves.toContain("1");
    await assignConversation(ctx, { conversationId: conv.support1, userId: satoId, assigneeId: satoId });
    await expect.poll(() => rowIds(a), { timeout: REALTIME }).toEqual([]);
    await screenshot(a, "lists-02-assigned-live");
  });

  it("opens a row in its own inbox, which reads it (\\Seen too); 未読にする clears it", async () => {
    await a.getByTestId("tab-open").click();
    await a.getByTestId("conversation-row").first().click();
    await a.waitForURL(new RegExp(`#/inbox/\\d+/c/${conv.sales1}`), { timeout: WAIT });
    await a.getByRole("heading", { name: "見積もりのお願い" }).waitFor({ timeout: WAIT });
    // Opening it read it, for tanaka only: \Seen in IMAP too.
    const seen = async () =>
      (await listMessages(team.ctx, { userId: tanakaId, mailboxId: salesMailboxId }))[0]?.flags.includes(
        "\\Seen",
      );
    await expect.poll(seen, { timeout: WAIT }).toBe(true);
    await a.getByTestId("mark-unread").click();
    await a.waitForURL(/#\/inbox\/\d+(\?.*)?$/, { timeout: WAIT });
    await expect.poll(seen, { timeout: WAIT }).toBe(false);
    const row = a.locator(`[data-conversation-id="${conv.sales1}"]`);
    await expect.poll(() => row.getAttribute("class"), { timeout: WAIT }).toContain("unread");
  });

  it("works at 375 px: entry on top, list, conversation, back, no horizontal scroll", async () => {
    await team.login(m, "tanaka@example.co.jp");
    const entry = m.getByTestId("assigned-entry");
    const box = await entry.boundingBox();
    const firstCard = await m.getByTestId("inbox-card").first().boundingBox();
    expect(box && firstCard && box.y < firstCard.y).toBe(true);
    expect(await scrollWidth(m)).toBeLessThanOrEqual(375);
    await entry.tap();
    await expect.poll(() => rowIds(m), { timeout: WAIT }).toEqual([conv.sales1]);
    expect(await scrollWidth(m)).toBeLessThanOrEqual(375);
    await screenshot(m, "lists-03-assigned-mobile");
    await m.getByTestId("conversation-row").first().tap();
    await m.getByRole("heading", { name: "見積もりのお願い" }).waitFor({ timeout: WAIT });
    expect(await scrollWidth(m)).toBeLessThanOrEqual(375);
    await m.goBack();
    await expect.poll(() => rowIds(m), { timeout: WAIT }).toEqual([conv.sales1]);
    expect(team.pageErrors).toEqual([]);
  });
});
