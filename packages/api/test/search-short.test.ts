import { deliver, searchGramsOf } from "@madoguchi/core";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail, useTeamEnv } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { agent, startTestServer, type TestClient, type TestServer } from "./support";

// Search terms of one or two characters (請求, 納期, "Q"): no trigram exists for them, so they
// go through messages.search_grams and its GIN index (migration 0009); results must be the same substring matches.
describe.each(drivers)("short search terms (%s)", (driver) => {
  const state = useTeamEnv(driver);
  let server: TestServer;
  let alice: TestClient;
  const conv: Record<string, number> = {};

  beforeAll(async () => {
    const { ctx } = state.env;
    const put = async (name: string, subject: string, body: string, from?: string) => {
      conv[name] = (await deliver(ctx, state.team.info.id, mail({ subject, body, from })))
        .conversationId as number;
    };
    await put("deadline", "納期について", "来週の納期に間に合いますか。");
    await put("invoice", "ご請求の件", "請求書を再発行してください。");
    await put("faq", "Q&A の追加", "よくある質問を増やしたいです。");
    await put("discount", "割引", "割引は10%ですか。", "佐々木 <sasaki@shop.example>");
    server = await startTestServer(state.env);
    alice = await agent(server, "alice");
  });
  afterAll(() => server?.close());

  const ids = async (q: string, status?: "open" | "done") =>
    (await alice.trpc.conversation.list.query({ inboxId: state.team.info.id, q, status })).rows
      .map((r) => r.id)
      .sort((a, b) => a - b);

  it("finds two-character Japanese words in subject and body", async () => {
    expect(await ids("納期")).toEqual([conv.deadline]);
    expect(await ids("請求")).toEqual([conv.invoice]);
    expect(await ids("割引")).toEqual([conv.discount]);
    expect(await ids("期限")).toEqual([]);
    // Two short terms must both match; a short and a long one too.
    expect(await ids("請求 再発行")).toEqual([conv.invoice]);
    expect(await ids("納期 請求")).toEqual([]);
  });

  it("finds one character, ASCII case-insensitively, and LIKE metacharacters literally", async () => {
    expect(await ids("Q")).toEqual([conv.faq]);
    expect(await ids("q")).toEqual([conv.faq]);
    expect(await ids("%")).toEqual([conv.discount]);
    expect(await ids("_")).toEqual([]);
    expect(await ids("々")).toEqual([conv.discount]);
  });

  it("combines a short term with the status tab and counts", async () => {
    await alice.trpc.conversation.setStatus.mutate({
      conversationId: conv.invoice as number,
      status: "done",
    });
    expect(await ids("請求", "open")).toEqual([]);
    expect(await ids("請求", "done")).toEqual([conv.invoice]);
    const page = await alice.trpc.conversation.list.query({ inboxId: state.team.info.id, q: "請求" });
    expect(page.counts).toEqual({ open: 0, in_progress: 0, waiting: 0, done: 1 });
  });

  it("indexes each message's characters and character pairs, lower-cased, without whitespace", async () => {
    const { ctx } = state.env;
    const stored = await deliver(ctx, state.team.info.id, mail({ subject: "Ab 請求書", body: "ok" }));
    const rows = await ctx.db.execute(
      sql`select search_grams as g from messages where id = ${stored.messageId}`,
    );
    const grams = ((rows as unknown as { rows?: { g: string[] }[] }).rows ??
      (rows as unknown as { g: string[] }[]))[0]?.g;
    expect(grams).toEqual(expect.arrayContaining(["a", "ab", "b", "書", "求", "求書", "請", "請求", "ok"]));
    // Whitespace ends a run: no gram spans the space, and none is upper-case.
    expect(grams).not.toContain("b請");
    expect(grams).not.toContain("A");
    expect(searchGramsOf("Ab 請求書")).toEqual(["a", "b", "ab", "請", "求", "請求", "書", "求書"]);
  });
});
