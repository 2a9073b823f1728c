import { messages } from "@madoguchi/db/schema";
import { like } from "drizzle-orm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CustomerDomain,
  DOWN_ANSWER,
  startCustomerDomain,
} from "../packages/smtp/test/support/customer";
import { enqueueDirect } from "../packages/smtp/test/support/queue";
import { screenshot, scrollWidth } from "./support/browser";
import { ADMIN_EMAIL, chromiumTeam, PHONE } from "./support/team";

// 送信キュー in Chromium: a customer's mail server is down (451) when the shared inbox writes to
// it; the administrator sees the message waiting, with that server's answer, and once it is back
// sends it with 「今すぐ再送」 instead of waiting for the next backoff step (a minute away).
const WAIT = 20_000;

describe("web app in Chromium: the outgoing queue (admin)", () => {
  let customer: CustomerDomain;
  const team = chromiumTeam({
    agents: [],
    inboxes: [],
    serverEnv: async () => {
      customer = await startCustomerDomain({ down: true });
      return customer.serverEnv;
    },
  });
  let admin: Page;

  beforeAll(async () => {
    admin = await team.openAdmin();
  }, 60_000);
  afterAll(async () => {
    await customer?.close();
  });

  async function openQueue(page: Page): Promise<void> {
    await page.getByRole("link", { name: "管理", exact: true }).click();
    await page.getByRole("tab", { name: "送信キュー", exact: true }).click();
  }

  it("shows mail the remote server deferred, with its answer, and sends it at once on 今すぐ再送", async () => {
    await openQueue(admin);
    await admin.getByTestId("queue-empty").waitFor({ timeout: WAIT });

    await enqueueDirect(
      team.ctx,
      `quote.${Date.now()}@example.co.jp`,
      ["taro@customer.example"],
      "お見積もりの件",
    );
    const entry = admin.getByTestId("queue-entry");
    // The page looks again every few seconds: the first attempt's answer appears by itself.
    await admin.getByTestId("queue-answer").waitFor({ timeout: WAIT });
    expect(customer.receiver.attempts).toBe(1);
    expect(await entry.count()).toBe(1);
    expect(await entry.getAttribute("data-state")).toBe("queued");
    const text = (await entry.textContent()) ?? "";
    expect(text).toContain("taro@customer.example");
    expect(text).toContain("お見積もりの件");
    expect(text).toContain("再送待ち");
    expect(await admin.getByTestId("queue-attempts").textContent()).toBe("1");
    expect(await admin.getByTestId("queue-answer").textContent()).toBe(`451 ${DOWN_ANSWER}`);
    await screenshot(admin, "admin-queue-deferred");

    // On a phone the answer wraps instead of widening the page.
    const phone = await team.openPage(PHONE);
    await team.login(phone, ADMIN_EMAIL);
    await openQueue(phone);
    await phone.getByTestId("queue-answer").waitFor({ timeout: WAIT });
    expect(await scrollWidth(phone)).toBeLessThanOrEqual(375);
    await screenshot(phone, "admin-queue-phone");

    // The customer's server is back: retried now, not in a minute.
    customer.down = false;
    await entry.getByRole("button", { name: "今すぐ再送" }).click();
    await expect
      .poll(() => admin.getByRole("status").textContent(), { timeout: WAIT })
      .toContain("1件を再送します");
    await expect.poll(() => customer.receiver.received.length, { timeout: WAIT }).toBe(1);
    expect(customer.receiver.received[0]?.to).toEqual(["taro@customer.example"]);
    await admin.getByTestId("queue-empty").waitFor({ timeout: WAIT });
    expect(await entry.count()).toBe(0);
    expect(team.pageErrors).toEqual([]);
  });
  it("stops a delivery that will never get through: the sender gets the bounce at once, saying so", async () => {
    customer.down = true;
    const before = customer.receiver.attempts;
    await enqueueDirect(team.ctx, `typo.${Date.now()}@example.co.jp`, ["taro@customer.example"], "ご請求書");
    const entry = admin.getByTestId("queue-entry");
    await admin.getByTestId("queue-answer").waitFor({ timeout: WAIT });
    expect(customer.receiver.attempts).toBe(before + 1);
    admin.once("dialog", (d) => {
      expect(d.message()).toContain("taro@customer.example への配送を中止しますか");
      void d.accept();
    });
    await entry.getByRole("button", { name: "配送を中止" }).click();
    await expect
      .poll(() => admin.getByRole("status").textContent(), { timeout: WAIT })
      .toContain("配送を中止しました");
    await admin.getByTestId("queue-empty").waitFor({ timeout: WAIT });
    // The bounce is in the shared inbox, threaded to the message, in words the sender understands.
    const bounce = async () =>
      (await team.ctx.db.select().from(messages).where(like(messages.messageIdHeader, "dsn-failed-%")))[0];
    await expect.poll(bounce, { timeout: WAIT }).toBeDefined();
    const raw = (await team.ctx.blobs.get((await bounce())?.blobHash ?? "")).toString();
    expect(raw).toContain("管理者が配送を中止しました");
    expect(raw).toContain(`451 ${DOWN_ANSWER}`);
    expect(raw).toContain("Status: 5.0.0");
    expect(customer.receiver.attempts).toBe(before + 1);
    expect(team.pageErrors).toEqual([]);
  });
  it("narrows the queue to one recipient domain and retries all of its mail, the rest left waiting", async () => {
    // A second domain whose mail goes to the same (down) server.
    customer.down = true;
    customer.dns.zone.set("branch.example", { MX: [{ exchange: "mx.customer.example", priority: 10 }] });
    const received = customer.receiver.received.length;
    const stamp = Date.now();
    await enqueueDirect(team.ctx, `hq.${stamp}@example.co.jp`, ["taro@customer.example"], "本社宛");
    await enqueueDirect(team.ctx, `branch.${stamp}@example.co.jp`, ["hanako@branch.example"], "支店宛");
    await expect.poll(() => admin.getByTestId("queue-answer").count(), { timeout: WAIT }).toBe(2);

    const domain = admin.getByLabel("宛先ドメイン");
    await domain.selectOption("branch.example");
    const entry = admin.getByTestId("queue-entry");
    await expect.poll(() => entry.count(), { timeout: WAIT }).toBe(1);
    expect(await entry.textContent()).toContain("hanako@branch.example");
    await screenshot(admin, "admin-queue-domain");

    // branch.example's server is back: all its mail goes now; customer.example's waits its turn.
    customer.down = false;
    await admin.getByRole("button", { name: "branch.example 宛をすべて今すぐ再送" }).click();
    await expect.poll(() => customer.receiver.received.length, { timeout: WAIT }).toBe(received + 1);
    expect(customer.receiver.received.at(-1)?.to).toEqual(["hanako@branch.example"]);
    await expect
      .poll(() => admin.getByTestId("queue-empty").textContent(), { timeout: WAIT })
      .toBe("branch.example 宛の送信待ちのメールはありません。");
    await domain.selectOption("");
    await expect.poll(() => entry.textContent(), { timeout: WAIT }).toContain("taro@customer.example");
    expect(await entry.count()).toBe(1);
    expect(customer.receiver.received.length).toBe(received + 1);
    expect(team.pageErrors).toEqual([]);
  });
});
