import { describe, expect, it } from "vitest";
import { drivers } from "../../core/test/harness";
import { agent, customerConversation, expectTrpcError, useTeamServer } from "./support";

describe.each(drivers)("自動振り分け over the API (%s)", (driver) => {
  const t = useTeamServer(driver);

  it("a member makes, orders, switches off and deletes rules; a new inquiry shows what its rule did", async () => {
    const inboxId = t.state.team.info.id;
    const bob = t.state.team.bob;
    const label = await t.alice.trpc.label.create.mutate({ inboxId, name: "請求" });
    const rule = await t.alice.trpc.rule.create.mutate({
      inboxId,
      name: "請求書",
      conditions: [{ field: "subject", value: "請求書" }],
      actions: { assigneeId: bob.id, labelIds: [label.id], status: "in_progress" },
    });
    const other = await t.bob.trpc.rule.create.mutate({
      inboxId,
      name: "見積",
      conditions: [{ field: "subject", value: "見積" }],
      actions: { assigneeId: null, labelIds: [], status: "waiting" },
    });
    expect((await t.bob.trpc.rule.list.query({ inboxId })).rules.map((r) => r.name)).toEqual([
      "請求書",
      "見積",
    ]);

    const id = await customerConversation(t, driver, "請求書の再発行");
    const view = await t.bob.trpc.conversation.get.query({ conversationId: id });
    expect(view.conversation).toMatchObject({ status: "in_progress", assignee: { id: bob.id } });
    expect(view.conversation.labels.map((l) => l.name)).toEqual(["請求"]);
    expect(view.activity.filter((a) => "rule" in a && a.rule !== null).map((a) => [a.kind, a.actor])).toEqual(
      [
        ["labels_changed", null],
        ["assignee_changed", null],
        ["status_changed", null],
      ],
    );

    const moved = await t.alice.trpc.rule.move.mutate({ ruleId: other.id, direction: "up" });
    expect(moved.rules.map((r) => r.name)).toEqual(["見積", "請求書"]);
    const off = await t.alice.trpc.rule.update.mutate({
      ruleId: rule.id,
      enabled: false,
      name: "請求書（旧）",
    });
    expect(off).toMatchObject({ enabled: false, name: "請求書（旧）" });
    const untouched = await customerConversation(t, driver, "請求書をください");
    expect(
      (await t.bob.trpc.conversation.get.query({ conversationId: untouched })).conversation,
    ).toMatchObject({
      status: "open",
      assignee: null,
    });
    await t.alice.trpc.rule.delete.mutate({ ruleId: rule.id });
    expect((await t.bob.trpc.rule.list.query({ inboxId })).rules.map((r) => r.name)).toEqual(["見積"]);
  });

  it("says what is missing from a rule, and keeps non-members out", async () => {
    const inboxId = t.state.team.info.id;
    const noCondition = await expectTrpcError(
      () =>
        t.alice.trpc.rule.create.mutate({
          inboxId,
          name: "空",
          conditions: [{ field: "from", value: "" }],
          actions: { assigneeId: null, labelIds: [], status: "done" },
        }),
      "BAD_REQUEST",
    );
    expect(noCondition.messageKey).toBe("error.ruleNoCondition");
    const noAction = await expectTrpcError(
      () =>
        t.alice.trpc.rule.create.mutate({
          inboxId,
          name: "何もしない",
          conditions: [{ field: "from", value: "x" }],
          actions: { assigneeId: null, labelIds: [], status: null },
        }),
      "BAD_REQUEST",
    );
    expect(noAction.messageKey).toBe("error.ruleNoAction");
    const carol = await agent(t.server, "carol");
    await expectTrpcError(() => carol.trpc.rule.list.query({ inboxId }), "FORBIDDEN");
  });
});
