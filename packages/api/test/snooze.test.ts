import { describe, expect, it } from "vitest";
import { drivers } from "../../core/test/harness";
import type { ServerMessage } from "../src/realtime/protocol";
import { agent, customerConversation, expectTrpcError, useTeamServer } from "./support";

const HOUR = 60 * 60 * 1000;
const isNotification = (m: ServerMessage): m is Extract<ServerMessage, { type: "notification" }> =>
  m.type === "notification";

describe.each(drivers)("スヌーズ over the API (%s)", (driver) => {
  // The waker looks every 100 ms here (5 s in a server).
  const t = useTeamServer(driver, { snoozeTickMs: 100 });

  it("snoozes a conversation a teammate sees as 保留 with its time, then wakes it when the time comes and notifies", async () => {
    const id = await customerConversation(t, driver, "スヌーズの件");
    const until = new Date(Date.now() + 2 * HOUR).toISOString();
    await t.alice.trpc.conversation.snooze.mutate({ conversationId: id, until });
    const list = await t.bob.trpc.conversation.list.query({ inboxId: t.state.team.info.id });
    expect(list.rows.find((r) => r.id === id)).toMatchObject({ status: "waiting", snoozedUntil: until });
    const view = await t.bob.trpc.conversation.get.query({ conversationId: id });
    expect(view.conversation.snooze).toEqual({
      until,
      by: { id: t.state.team.alice.id, name: t.state.team.alice.name },
    });
    expect(view.activity.filter((a) => a.kind === "snooze_changed")).toMatchObject([
      { actor: { id: t.state.team.alice.id }, until, reason: null },
    ]);

    const browser = await t.alice.connect();
    t.skewMs = 2 * HOUR + 1000;
    try {
      const pushed = await browser.waitFor(isNotification, 5000);
      expect(pushed.notification).toMatchObject({
        kind: "snooze_ended",
        conversationId: id,
        actor: { id: t.state.team.alice.id },
        subject: "スヌーズの件",
      });
    } finally {
      t.skewMs = 0;
      t.alice.closeSockets();
    }
    const woken = await t.bob.trpc.conversation.get.query({ conversationId: id });
    expect(woken.conversation).toMatchObject({ status: "open", snooze: null });
    expect(woken.activity.filter((a) => a.kind === "snooze_changed").at(-1)).toMatchObject({
      actor: null,
      until: null,
      reason: "due",
    });
    const { items } = await t.alice.trpc.notification.list.query({ limit: 10 });
    expect(items.filter((n) => n.conversationId === id).map((n) => n.kind)).toEqual(["snooze_ended"]);
  });

  it("a reply ends the スヌーズ, and taking the reply back (取り消し) gives it back with 保留", async () => {
    const id = await customerConversation(t, driver, "取り消しの件");
    const until = new Date(Date.now() + 3 * HOUR).toISOString();
    await t.alice.trpc.conversation.snooze.mutate({ conversationId: id, until });
    const view = await t.alice.trpc.conversation.get.query({ conversationId: id });
    const sent = await t.alice.trpc.reply.send.mutate({
      conversationId: id,
      basedOnSeq: view.conversation.lastSeq,
      to: [{ address: "taro@customer.example" }],
      subject: "Re: 取り消しの件",
      bodyText: "確認いたします。",
    });
    const during = await t.bob.trpc.conversation.get.query({ conversationId: id });
    expect(during.conversation).toMatchObject({ status: "done", snooze: null });

    await t.alice.trpc.reply.cancel.mutate({ outboundId: sent.outboundId });
    const after = await t.bob.trpc.conversation.get.query({ conversationId: id });
    expect(after.conversation).toMatchObject({
      status: "waiting",
      snooze: { until, by: { id: t.state.team.alice.id } },
    });
    expect(after.activity.filter((a) => a.kind === "snooze_changed").at(-1)).toMatchObject({
      actor: { id: t.state.team.alice.id },
      until,
    });
    const list = await t.bob.trpc.conversation.list.query({ inboxId: t.state.team.info.id });
    expect(list.rows.find((r) => r.id === id)).toMatchObject({ status: "waiting", snoozedUntil: until });
  });

  it("解除, and the errors a user reads: a time past, too far ahead, not a member", async () => {
    const id = await customerConversation(t, driver, "解除の件");
    await t.alice.trpc.conversation.snooze.mutate({
      conversationId: id,
      until: new Date(Date.now() + HOUR).toISOString(),
    });
    await t.bob.trpc.conversation.snooze.mutate({ conversationId: id, until: null });
    const view = await t.alice.trpc.conversation.get.query({ conversationId: id });
    expect(view.conversation).toMatchObject({ status: "open", snooze: null });

    const past = await expectTrpcError(
      () =>
        t.alice.trpc.conversation.snooze.mutate({
          conversationId: id,
          until: new Date(Date.now() - 60_000).toISOString(),
        }),
      "BAD_REQUEST",
    );
    expect(past.messageKey).toBe("error.snoozeInPast");
    const far = await expectTrpcError(
      () =>
        t.alice.trpc.conversation.snooze.mutate({
          conversationId: id,
          until: new Date(Date.now() + 400 * 24 * HOUR).toISOString(),
        }),
      "BAD_REQUEST",
    );
    expect(far.messageKey).toBe("error.snoozeTooFar");
    const carol = await agent(t.server, "carol");
    await expectTrpcError(
      () =>
        carol.trpc.conversation.snooze.mutate({
          conversationId: id,
          until: new Date(Date.now() + HOUR).toISOString(),
        }),
      "FORBIDDEN",
    );
    expect((await t.alice.trpc.conversation.get.query({ conversationId: id })).conversation.status).toBe(
      "open",
    );
  });
});
