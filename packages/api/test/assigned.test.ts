import { addSharedInbox, assignConversation, changeInboxMembers, deliver } from "@madoguchi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail, useTeamEnv } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { agent, startTestServer, type TestClient, type TestServer } from "./support";

// "担当: 自分" across inboxes: alice works info@ (with bob) and billing@ (alone); carol works neither.
describe.each(drivers)("assigned to me across inboxes (%s)", (driver) => {
  const state = useTeamEnv(driver);
  let server: TestServer;
  let alice: TestClient;
  let carol: TestClient;
  let billingId = 0;
  const conv: Record<string, number> = {};

  beforeAll(async () => {
    const { ctx } = state.env;
    const { team } = state;
    billingId = (
      await addSharedInbox(ctx, {
        address: "billing@example.co.jp",
        name: "請求窓口",
        memberEmails: ["alice@example.co.jp"],
      })
    ).id;
    let minute = 0;
    const put = async (name: string, inboxId: number, subject: string, assigneeId: number | null) => {
      minute += 1;
      const date = new Date(Date.UTC(2026, 10, 27, 1, minute)).toUTCString();
      const d = await deliver(ctx, inboxId, mail({ subject, date, body: `${subject}の件です。` }));
      conv[name] = d.conversationId as number;
      if (assigneeId !== null)
        await assignConversation(ctx, { conversationId: conv[name], userId: team.alice.id, assigneeId });
    };
    await put("infoMine", team.info.id, "配送の遅れ", team.alice.id);
    await put("infoBob", team.info.id, "返品の相談", team.bob.id);
    await put("infoNobody", team.info.id, "見積もり依頼", null);
    await put("billingMine", billingId, "請求書の再発行", team.alice.id);
    await put("billingDone", billingId, "領収書の宛名", team.alice.id);
    server = await startTestServer(state.env);
    alice = await agent(server, "alice");
    carol = await agent(server, "carol");
    await alice.trpc.conversation.setStatus.mutate({
      conversationId: conv.billingDone as number,
      status: "done",
    });
  });
  afterAll(() => server?.close());

  it("lists the caller's conversations from every inbox, newest first, with the inbox list's row shape", async () => {
    const all = await alice.trpc.conversation.assigned.query({});
    expect(all.rows.map((r) => r.id)).toEqual([conv.billingDone, conv.billingMine, conv.infoMine]);
    expect(all.counts).toEqual({ open: 2, in_progress: 0, waiting: 0, done: 1 });
    const fromInbox = await alice.trpc.conversation.list.query({ inboxId: state.team.info.id });
    expect(all.rows.find((r) => r.id === conv.infoMine)).toEqual(
      fromInbox.rows.find((r) => r.id === conv.infoMine),
    );
    expect(all.rows.find((r) => r.id === conv.billingMine)).toMatchObject({
      inboxId: billingId,
      subject: "請求書の再発行",
      assignee: { id: state.team.alice.id, name: "佐藤 愛" },
      status: "open",
      unread: true,
    });
  });

  it("filters by status tab, unread and search, and pages with a cursor", async () => {
    const open = await alice.trpc.conversation.assigned.query({ status: "open" });
    expect(open.rows.map((r) => r.id)).toEqual([conv.billingMine, conv.infoMine]);
    expect((await alice.trpc.conversation.assigned.query({ q: "再発行" })).rows.map((r) => r.id)).toEqual([
      conv.billingMine,
    ]);
    await alice.trpc.conversation.markRead.mutate({ conversationId: conv.infoMine as number });
    const unread = await alice.trpc.conversation.assigned.query({ unread: true, status: "open" });
    expect(unread.rows.map((r) => r.id)).toEqual([conv.billingMine]);
    const first = await alice.trpc.conversation.assigned.query({ limit: 2 });
    expect(first.rows).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await alice.trpc.conversation.assigned.query({ limit: 2, cursor: first.nextCursor ?? "" });
    expect(second.rows.map((r) => r.id)).toEqual([conv.infoMine]);
    expect(second.nextCursor).toBeNull();
    expect(second.counts).toBeNull();
  });

  it("follows assignment changes, and shows nothing to a user with no inbox", async () => {
    await alice.trpc.conversation.assign.mutate({
      conversationId: conv.infoBob as number,
      assigneeId: state.team.alice.id,
    });
    await alice.trpc.conversation.assign.mutate({
      conversationId: conv.infoMine as number,
      assigneeId: null,
    });
    const open = await alice.trpc.conversation.assigned.query({ status: "open" });
    expect(open.rows.map((r) => r.id)).toEqual([conv.billingMine, conv.infoBob]);
    const none = await carol.trpc.conversation.assigned.query({});
    expect(none).toEqual({
      rows: [],
      nextCursor: null,
      counts: { open: 0, in_progress: 0, waiting: 0, done: 0 },
    });
  });

  it("drops an inbox's conversations as soon as the user loses membership there", async () => {
    await changeInboxMembers(state.env.ctx, "billing@example.co.jp", { remove: ["alice@example.co.jp"] });
    const all = await alice.trpc.conversation.assigned.query({});
    expect(all.rows.map((r) => r.id)).toEqual([conv.infoBob]);
    expect(all.counts).toEqual({ open: 1, in_progress: 0, waiting: 0, done: 0 });
    // Still assigned to her in the database: membership, not assignment, decides.
    const listed = await alice.trpc.inbox.list.query();
    expect(listed.inboxes.map((i) => i.id)).not.toContain(billingId);
  });
});
