import { describe, expect, it } from "vitest";
import { drivers } from "../../core/test/harness";
import { agent, customerConversation, expectTrpcError, useTeamServer } from "./support";

describe.each(drivers)("ラベル over the API (%s)", (driver) => {
  const t = useTeamServer(driver);

  const newConversation = (subject: string) => customerConversation(t, driver, subject);

  it("creates labels, puts one on a conversation a teammate then sees in the list, the view and the filter", async () => {
    const inboxId = t.state.team.info.id;
    const label = await t.alice.trpc.label.create.mutate({ inboxId, name: "請求", color: "red" });
    const duplicate = await expectTrpcError(
      () => t.bob.trpc.label.create.mutate({ inboxId, name: "請求" }),
      "CONFLICT",
    );
    expect(duplicate.messageKey).toBe("error.labelNameTaken");
    const { labels, colors } = await t.bob.trpc.label.list.query({ inboxId });
    expect(labels.map((l) => l.name)).toEqual(["請求"]);
    expect(colors).toContain("red");

    const labelled = await newConversation("請求書の再発行");
    const plain = await newConversation("配送について");
    const set = await t.alice.trpc.conversation.setLabels.mutate({
      conversationId: labelled,
      add: [label.id],
    });
    expect(set.labels).toEqual([{ id: label.id, name: "請求", color: "red" }]);

    const list = await t.bob.trpc.conversation.list.query({ inboxId });
    expect(list.rows.find((r) => r.id === labelled)?.labels.map((l) => l.name)).toEqual(["請求"]);
    expect(list.rows.find((r) => r.id === plain)?.labels).toEqual([]);
    const filtered = await t.bob.trpc.conversation.list.query({ inboxId, labelId: label.id });
    expect(filtered.rows.map((r) => r.id)).toEqual([labelled]);
    const view = await t.bob.trpc.conversation.get.query({ conversationId: labelled });
    expect(view.conversation.labels.map((l) => l.name)).toEqual(["請求"]);
    expect(view.activity.filter((a) => a.kind === "labels_changed")).toMatchObject([
      { actor: { id: t.state.team.alice.id }, added: ["請求"], removed: [] },
    ]);

    // Carol is not a member of info@: neither its labels nor its conversations.
    const carol = await agent(t.server, "carol");
    await expectTrpcError(() => carol.trpc.label.list.query({ inboxId }), "FORBIDDEN");
    await expectTrpcError(
      () => carol.trpc.conversation.setLabels.mutate({ conversationId: plain, add: [label.id] }),
      "FORBIDDEN",
    );
  });
});
