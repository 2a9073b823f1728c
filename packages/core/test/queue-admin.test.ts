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

  async function queue(n: number): Promise<void> {
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
        recipients: [`user${i}@customer.example`],
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
});
