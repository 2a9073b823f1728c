import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueOutbound } from "../src/outbound/queue";
import { cancelOutbound, listOutboundQueue, retryOutboundNow } from "../src/outbound/queue-admin";
import { adminListOutboundQueue, QUEUE_PAGE_LIMIT } from "../src/web/outbound-queue";
import { createTeam, mail, type Team } from "./fixtures";
import { createTestEnv, drivers, type TestEnv } from "./harness";

describe.each(drivers)("outgoing queue administration on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  beforeAll(async () => {
    env = await createTestEnv(driver);
    team = await createTeam(env.ctx);
  });
  afterAll(() => env.close());

  async function queue(n: number, domain = "customer.example"): Promise<void> {
    const blob = await env.ctx.blobs.put(mail({ from: "info@example.co.jp", to: "taro@customer.example" }));
    for (let i = 0; i < n; i++)
      await enqueueOutbound(env.ctx, {
        inboxId: team.info.id,
        senderUserId: null,
        messageIdHeader: `queued.${i}.${Date.now()}@example.co.jp`,
        mailFrom: "info@example.co.jp",
        blobHash: blob.hash,
        size: blob.size,
        subject: `お知らせ ${i}`,
        recipients: [`user${i}@${domain}`],
        basedOnSeq: null,
        state: "queued",
      });
  }

  it("lists a long queue a page at a time, oldest first, and says how many there are", async () => {
    await queue(QUEUE_PAGE_LIMIT + 5);
    const page = await adminListOutboundQueue(env.ctx, team.alice.id).catch((e) => e);
    expect(page.message).toMatch(/administrator/i);
    const all = await listOutboundQueue(env.ctx);
    expect(all.total).toBe(QUEUE_PAGE_LIMIT + 5);
    expect(all.entries).toHaveLength(QUEUE_PAGE_LIMIT + 5);
    const first = await listOutboundQueue(env.ctx, { limit: QUEUE_PAGE_LIMIT });
    expect(first.total).toBe(QUEUE_PAGE_LIMIT + 5);
    expect(first.entries.map((e) => e.id)).toEqual(all.entries.slice(0, QUEUE_PAGE_LIMIT).map((e) => e.id));
    expect(first.entries[0]?.subject).toBe("お知らせ 0");
  });

  it("retries and cancels an id given twice once", async () => {
    const [a, b] = (await listOutboundQueue(env.ctx, { limit: 2 })).entries;
    if (!a || !b) throw new Error("nothing queued");
    expect(await retryOutboundNow(env.ctx, [a.id, a.id])).toEqual({ due: [a.id], skipped: [] });
    expect(await cancelOutbound(env.ctx, [b.id, b.id])).toEqual({ cancelled: [b.id], skipped: [] });
    const after = await listOutboundQueue(env.ctx);
    expect(after.entries.find((e) => e.id === b.id)?.state).toBe("failed");
    expect(await retryOutboundNow(env.ctx, [b.id])).toEqual({
      due: [],
      skipped: [{ id: b.id, reason: "failed for good; its bounce is on its way to the sender" }],
    });
  });

  it("lists and retries one recipient domain's mail, and counts mail per domain", async () => {
    await queue(2, "docomo.example");
    const { total, domains } = await listOutboundQueue(env.ctx);
    expect(domains).toEqual([
      { domain: "customer.example", count: QUEUE_PAGE_LIMIT + 5 },
      { domain: "docomo.example", count: 2 },
    ]);
    expect(total).toBe(QUEUE_PAGE_LIMIT + 7);
    // As an administrator types it.
    const docomo = await listOutboundQueue(env.ctx, { domain: " @Docomo.Example", limit: 1 });
    expect(docomo.total).toBe(2);
    expect(docomo.entries.map((e) => e.recipients)).toEqual([["user0@docomo.example"]]);
    expect(docomo.domains).toEqual(domains);

    const before = new Map((await listOutboundQueue(env.ctx)).entries.map((e) => [e.id, e.nextAttemptAt]));
    const { due, skipped } = await retryOutboundNow(env.ctx, { domain: "docomo.example" });
    expect(skipped).toEqual([]);
    const after = (await listOutboundQueue(env.ctx)).entries;
    const docomoIds = after.filter((e) => e.domain === "docomo.example").map((e) => e.id);
    expect(due).toEqual(docomoIds.sort((a, b) => a - b));
    // Mail to other domains keeps its next attempt.
    for (const e of after.filter((e) => e.domain !== "docomo.example"))
      expect(e.nextAttemptAt).toEqual(before.get(e.id));
    expect(await retryOutboundNow(env.ctx, { domain: "nowhere.example" })).toEqual({ due: [], skipped: [] });
  });
});
