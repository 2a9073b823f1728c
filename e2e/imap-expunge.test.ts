// A teammate deletes mail in a mail client (Thunderbird: \Deleted + EXPUNGE over IMAPS) while
// an agent has the shared inbox open in the browser: the list follows live, and a conversation
// whose last mail went is gone from the list and from the open view.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { deliverExchange } from "../packages/core/test/fixtures";
import { imapflowClient } from "../packages/imap/test/helpers";
import { screenshot } from "./support/browser";
import { chromiumTeam, DESKTOP, PASSWORD } from "./support/team";

const WAIT = 10_000;
const REALTIME = 8_000;

describe("mail deleted over IMAP, seen in the web app", () => {
  const team = chromiumTeam({
    agents: [{ email: "tanaka@example.co.jp", name: "田中" }],
    inboxes: [{ address: "info@example.co.jp", name: "問い合わせ" }],
  });
  let page: Page;
  let inboxId = 0;
  const conv = { spam: 0, quote: 0 };
  const uids = { spam: [] as number[], quote: [] as number[] };

  beforeAll(async () => {
    inboxId = team.inboxIds[0] ?? 0;
    for (const [key, subject] of [
      ["spam", "当選のお知らせ"],
      ["quote", "見積もりのお願い"],
    ] as const) {
      const { first, second } = await deliverExchange(team.ctx, inboxId, subject, key);
      conv[key] = first.conversationId ?? 0;
      uids[key] = [first.uid, second.uid];
    }
    page = await team.openPage(DESKTOP);
    await team.login(page, "tanaka@example.co.jp");
  }, 60_000);

  const rowIds = () =>
    page
      .getByTestId("conversation-row")
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-conversation-id"))));

  /** Thunderbird's delete with "expunge at once": \Deleted then UID EXPUNGE, over IMAPS. */
  async function deleteOverImap(list: number[]): Promise<void> {
    const client = imapflowClient(team.port("IMAP", "TLS"), "tanaka@example.co.jp", PASSWORD);
    await client.connect();
    try {
      const lock = await client.getMailboxLock("Shared/info@example.co.jp/INBOX");
      try {
        expect(await client.messageDelete(list.join(","), { uid: true })).toBe(true);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  }

  it("drops an emptied conversation from the list and the open view, live, and keeps the other", async () => {
    await page.goto(`${team.srv.baseUrl}/#/inbox/${inboxId}/c/${conv.spam}`);
    await page.getByRole("heading", { name: "当選のお知らせ" }).waitFor({ timeout: WAIT });
    await expect.poll(rowIds, { timeout: WAIT }).toEqual(expect.arrayContaining([conv.spam, conv.quote]));

    await deleteOverImap(uids.quote.slice(0, 1));
    await deleteOverImap(uids.spam);

    await expect.poll(rowIds, { timeout: REALTIME }).toEqual([conv.quote]);
    await page.getByText("この問い合わせは見つかりません。").waitFor({ timeout: REALTIME });
    await screenshot(page, "imap-expunge-01-gone");
    // The conversation that kept a mail is still there and opens with what is left.
    await page.locator(`[data-conversation-id="${conv.quote}"]`).click();
    await page.getByRole("heading", { name: "見積もりのお願い" }).waitFor({ timeout: WAIT });
    expect(team.pageErrors).toEqual([]);
  });
});
