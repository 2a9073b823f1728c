import { messages, outboundMessages, outboundQueue } from "@madoguchi/db/schema";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, type CoreContext, findInboxByAddress, SEND_LIMIT_PER_HOUR, submitMessage } from "../src";
import { addAdmin, createTeam, mail, type Team } from "./fixtures";
import { createTestEnv, drivers, type TestEnv } from "./harness";

describe.each(drivers)("sending limit per user and hour on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let clock = new Date("2026-11-30T09:00:00+09:00");
  let n = 0;

  beforeAll(async () => {
    env = await createTestEnv(driver);
    team = await createTeam(env.ctx);
  });
  afterAll(async () => {
    await env?.close();
  });

  const limited = (limit: number): CoreContext => ({ ...env.ctx, sendLimitPerHour: limit, now: () => clock });

  /** A message from the user's own address to `to`, submitted as a mail client would. */
  async function send(ctx: CoreContext, user: "alice" | "bob", to: string[]) {
    const from = `${user}@example.co.jp`;
    const inbox = await findInboxByAddress(ctx.db, from);
    return submitMessage(ctx, {
      userId: team[user].id,
      inboxId: inbox?.id ?? -1,
      raw: mail({
        from,
        to: to.join(", "),
        messageId: `limit.${++n}@example.co.jp`,
        subject: `お知らせ ${n}`,
      }),
      mailFrom: from,
      recipients: to,
    });
  }
  const outboundCount = async () =>
    (await env.ctx.db.select({ n: sql<number>`count(*)::int` }).from(outboundMessages))[0]?.n;

  it("defaults to 500 recipients at other servers per hour", () => {
    expect(SEND_LIMIT_PER_HOUR).toBe(500);
  });

  it("counts recipients at other servers, not local ones, and refuses past the limit with nothing queued", async () => {
    const ctx = limited(3);
    expect((await send(ctx, "alice", ["a@customer.example", "b@other.example"])).accepted).toBe(true);
    // bob@ is on this server: delivered here, not counted.
    expect((await send(ctx, "alice", ["c@customer.example", "bob@example.co.jp"])).accepted).toBe(true);
    const before = await outboundCount();
    const refused = await send(ctx, "alice", ["d@customer.example"]).catch((e) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: "SEND_LIMIT", details: { limit: 3, sentLastHour: 3 } });
    expect(refused.message).toBe(
      "Sending limit reached: at most 3 recipients at other servers per hour, 3 in the last hour. Not sent; try again later, or ask an administrator to raise the limit",
    );
    expect(await outboundCount()).toBe(before);
    // Local mail still goes: it does not leave the server.
    expect((await send(ctx, "alice", ["bob@example.co.jp"])).accepted).toBe(true);
    // Another user has a limit of their own.
    expect((await send(ctx, "bob", ["e@customer.example"])).accepted).toBe(true);
  });

  it("refuses a message that would go past the limit as a whole, and makes room as the hour moves on", async () => {
    const ctx = limited(5);
    // alice has 3 in the last hour: 3 more is one too many, 2 fit.
    await expect(send(ctx, "alice", ["f@x.example", "g@x.example", "h@x.example"])).rejects.toMatchObject({
      code: "SEND_LIMIT",
    });
    expect((await send(ctx, "alice", ["f@x.example", "g@x.example"])).accepted).toBe(true);
    await expect(send(ctx, "alice", ["h@x.example"])).rejects.toMatchObject({ code: "SEND_LIMIT" });
    clock = new Date(clock.getTime() + 61 * 60 * 1000);
    expect((await send(ctx, "alice", ["h@x.example"])).accepted).toBe(true);
  });

  it("does not count a send that was cancelled (never sent), and 0 means no limit", async () => {
    const ctx = limited(1);
    const first = await send(ctx, "bob", ["i@customer.example"]);
    await expect(send(ctx, "bob", ["j@customer.example"])).rejects.toMatchObject({ code: "SEND_LIMIT" });
    if (!first.accepted || first.outboundId === null) throw new Error("not queued");
    await env.ctx.db
      .update(outboundQueue)
      .set({ state: "cancelled" })
      .where(eq(outboundQueue.outboundMessageId, first.outboundId));
    expect((await send(ctx, "bob", ["j@customer.example"])).accepted).toBe(true);
    const many = Array.from({ length: 20 }, (_, i) => `k${i}@customer.example`);
    expect((await send(limited(0), "bob", many)).accepted).toBe(true);
  });
});

describe.each(drivers)("administrators told of a sending limit reached on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let adminInbox = 0;
  let clock = new Date("2026-11-30T09:00:00+09:00");
  beforeAll(async () => {
    env = await createTestEnv(driver);
    team = await createTeam(env.ctx);
    await addAdmin(env.ctx);
    adminInbox = (await findInboxByAddress(env.ctx.db, "kanri@example.co.jp"))?.id ?? -1;
  });
  afterAll(async () => {
    await env?.close();
  });

  const ctx = (): CoreContext => ({ ...env.ctx, sendLimitPerHour: 1, now: () => clock });
  let n = 0;
  const send = (to: string) =>
    submitMessage(ctx(), {
      userId: team.alice.id,
      inboxId: team.info.id,
      raw: mail({ from: "info@example.co.jp", to, messageId: `alert.${++n}@example.co.jp` }),
      mailFrom: "info@example.co.jp",
      recipients: [to],
    });
  const alerts = () =>
    env.ctx.db
      .select({ subject: messages.subject, from: messages.fromAddress, snippet: messages.snippet })
      .from(messages)
      .where(eq(messages.inboxId, adminInbox));

  it("puts one message an hour per user in each administrator's inbox, saying who and what to do", async () => {
    expect((await send("a@customer.example")).accepted).toBe(true);
    await expect(send("b@customer.example")).rejects.toMatchObject({
      code: "SEND_LIMIT",
      details: { limit: 1, sentLastHour: 1, refused: 1 },
    });
    const [alert] = await alerts();
    expect(alert).toMatchObject({
      subject: "送信上限に達しました: alice@example.co.jp / Sending limit reached",
      from: "postmaster@example.co.jp",
    });
    expect(alert?.snippet).toContain("佐藤 愛 <alice@example.co.jp> さんが送信上限に達しました。");
    expect(alert?.snippet).toContain("社外の宛先への送信は1時間に 1 件までです。直近1時間に 1 件送信済みで");
    // Refused again within the hour: the administrators already know.
    await expect(send("c@customer.example")).rejects.toMatchObject({ code: "SEND_LIMIT" });
    expect(await alerts()).toHaveLength(1);
    // An hour on, reached again: told again.
    clock = new Date(clock.getTime() + 61 * 60 * 1000);
    expect((await send("d@customer.example")).accepted).toBe(true);
    await expect(send("e@customer.example")).rejects.toMatchObject({ code: "SEND_LIMIT" });
    expect(await alerts()).toHaveLength(2);
  });
});
