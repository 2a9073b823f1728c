import { describe, expect, it } from "vitest";
import { changesSince } from "../src/changelog";
import {
  createLabel,
  deleteLabel,
  listLabels,
  setConversationLabels,
  updateLabel,
} from "../src/conversations/labels";
import { deliver } from "../src/deliver/deliver";
import { addSharedInbox } from "../src/directory/inboxes";
import { isAppError } from "../src/errors";
import { conversationActivity } from "../src/web/activity";
import { bulkUpdateConversations } from "../src/web/bulk";
import { listConversations } from "../src/web/conversation-list";
import { conversationView } from "../src/web/conversation-view";
import {
  conversationRow,
  customerConversation as customerConversationIn,
  mail,
  useTeamEnv,
} from "./fixtures";
import { drivers } from "./harness";

describe.each(drivers)("ラベル on %s", (driver) => {
  const t = useTeamEnv(driver);
  const inbox = () => t.team.info.id;
  const alice = () => t.team.alice.id;

  /** A customer conversation in info@. */
  const customerConversation = (key: string) => customerConversationIn(t.env.ctx, inbox(), key);
  const listedWith = async (labelId: number) =>
    (await listConversations(t.env.ctx, alice(), { inboxId: inbox(), labelId })).rows.map((r) => r.id);
  const labelNames = async (conversationId: number) =>
    (await conversationView(t.env.ctx, alice(), conversationId)).labels.map((l) => l.name);
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (err: unknown) => (isAppError(err) ? { code: err.code, reason: err.details.reason ?? null } : err),
    );

  it("creates an inbox's labels, each name once whatever its case, and lists them by name", async () => {
    const seikyu = await createLabel(t.env.ctx, alice(), {
      inboxId: inbox(),
      name: "  請求  ",
      color: "red",
    });
    expect(seikyu).toMatchObject({ name: "請求", color: "red", inboxId: inbox(), createdBy: alice() });
    await createLabel(t.env.ctx, t.team.bob.id, { inboxId: inbox(), name: "VIP" });
    expect(await failure(createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: "vip" }))).toEqual({
      code: "CONFLICT",
      reason: "label_name_taken",
    });
    expect(await failure(createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: "   " }))).toMatchObject({
      code: "INVALID_INPUT",
    });
    expect(
      await failure(createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: "x", color: "teal" })),
    ).toMatchObject({ code: "INVALID_INPUT" });
    // Made, it is a change of the inbox (on no conversation): every member's picker learns of it.
    const made = (await changesSince(t.env.ctx.db, inbox(), 0)).filter((c) => c.kind === "labels_changed");
    expect(made.map((c) => [c.conversationId, c.data])).toEqual([
      [null, { created: "請求" }],
      [null, { created: "VIP" }],
    ]);
    const listed = await listLabels(t.env.ctx, alice(), inbox());
    expect(listed.map((l) => [l.name, l.color])).toEqual([
      ["VIP", "gray"],
      ["請求", "red"],
    ]);
    // Another inbox may have a label of the same name.
    const sales = await addSharedInbox(t.env.ctx, {
      address: "sales@example.co.jp",
      name: "営業",
      memberEmails: ["alice@example.co.jp"],
    });
    expect((await createLabel(t.env.ctx, alice(), { inboxId: sales.id, name: "請求" })).name).toBe("請求");
  });

  it("lets only the inbox's members see and manage its labels", async () => {
    const carol = t.team.carol.id;
    expect(await failure(listLabels(t.env.ctx, carol, inbox()))).toMatchObject({ code: "FORBIDDEN" });
    expect(await failure(createLabel(t.env.ctx, carol, { inboxId: inbox(), name: "侵入" }))).toMatchObject({
      code: "FORBIDDEN",
    });
    const label = await createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: "見積" });
    expect(await failure(updateLabel(t.env.ctx, carol, { labelId: label.id, name: "x" }))).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await failure(deleteLabel(t.env.ctx, carol, label.id))).toMatchObject({ code: "FORBIDDEN" });
    const conversationId = await customerConversation("members-only");
    expect(
      await failure(setConversationLabels(t.env.ctx, { conversationId, userId: carol, add: [label.id] })),
    ).toMatchObject({ code: "FORBIDDEN" });
  });

  it("puts labels on a conversation and takes them off, logged once per change with who did it", async () => {
    const urgent = await createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: "至急" });
    const invoice = await createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: "請求書" });
    const conversationId = await customerConversation("put-on");
    const before = await conversationRow(t.env.ctx, conversationId);
    const added = await setConversationLabels(t.env.ctx, {
      conversationId,
      userId: alice(),
      add: [urgent.id, invoice.id],
    });
    expect(added.labels.map((l) => l.name)).toEqual(["至急", "請求書"]);
    expect(added.seq).toBeGreaterThan(before.lastSeq);
    const after = await conversationRow(t.env.ctx, conversationId);
    expect(after.lastSeq).toBe(added.seq);
    // Nothing new for the team to read: a label is not news from the customer.
    expect(after.guardSeq).toBe(before.guardSeq);
    // Again: no change, nothing logged.
    expect(
      (await setConversationLabels(t.env.ctx, { conversationId, userId: alice(), add: [urgent.id] })).seq,
    ).toBeNull();
    const removed = await setConversationLabels(t.env.ctx, {
      conversationId,
      userId: t.team.bob.id,
      remove: [urgent.id],
    });
    expect(removed.labels.map((l) => l.name)).toEqual(["請求書"]);
    expect(await labelNames(conversationId)).toEqual(["請求書"]);
    const activity = (
      await conversationActivity(t.env.ctx, await conversationRow(t.env.ctx, conversationId))
    ).filter((a) => a.kind === "labels_changed");
    expect(
      activity.map((a) => [a.actor?.name, "added" in a ? a.added : null, "removed" in a ? a.removed : null]),
    ).toEqual([
      ["佐藤 愛", ["至急", "請求書"], []],
      ["鈴木 文", [], ["至急"]],
    ]);
    // In the inbox's change log: every open list and view learns of it.
    const logged = (await changesSince(t.env.ctx.db, inbox(), before.lastSeq)).filter(
      (c) => c.conversationId === conversationId,
    );
    expect(logged.map((c) => c.kind)).toEqual(["labels_changed", "labels_changed"]);
  });

  it("refuses another inbox's label, or one both added and removed, changing nothing", async () => {
    const sales = await addSharedInbox(t.env.ctx, {
      address: "sales2@example.co.jp",
      name: "営業2",
      memberEmails: ["alice@example.co.jp"],
    });
    const foreign = await createLabel(t.env.ctx, alice(), { inboxId: sales.id, name: "他部署" });
    const own = await createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: "自分の" });
    const conversationId = await customerConversation("foreign-label");
    expect(
      await failure(
        setConversationLabels(t.env.ctx, { conversationId, userId: alice(), add: [own.id, foreign.id] }),
      ),
    ).toMatchObject({ code: "INVALID_INPUT" });
    expect(
      await failure(
        setConversationLabels(t.env.ctx, {
          conversationId,
          userId: alice(),
          add: [own.id],
          remove: [own.id],
        }),
      ),
    ).toMatchObject({ code: "INVALID_INPUT" });
    expect(await labelNames(conversationId)).toEqual([]);
  });

  it("filters the list by a label, shows each row's labels, and a deleted label leaves every conversation", async () => {
    const label = await createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: "返品", color: "orange" });
    const renamed = await updateLabel(t.env.ctx, alice(), { labelId: label.id, name: "返品・交換" });
    expect(renamed.name).toBe("返品・交換");
    const [one, two, other] = [
      await customerConversation("filter-1"),
      await customerConversation("filter-2"),
      await customerConversation("filter-3"),
    ];
    await setConversationLabels(t.env.ctx, { conversationId: one, userId: alice(), add: [label.id] });
    await setConversationLabels(t.env.ctx, { conversationId: two, userId: alice(), add: [label.id] });
    expect((await listedWith(label.id)).sort()).toEqual([one, two].sort());
    const page = await listConversations(t.env.ctx, alice(), { inboxId: inbox() });
    const rowOf = (id: number) => page.rows.find((r) => r.id === id);
    expect(rowOf(one)?.labels).toEqual([{ id: label.id, name: "返品・交換", color: "orange" }]);
    expect(rowOf(other)?.labels).toEqual([]);
    // The renamed label takes a name another label has: refused.
    await createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: "交換" });
    expect(await failure(updateLabel(t.env.ctx, alice(), { labelId: label.id, name: "交換" }))).toEqual({
      code: "CONFLICT",
      reason: "label_name_taken",
    });
    const before = await conversationRow(t.env.ctx, one);
    await deleteLabel(t.env.ctx, t.team.bob.id, label.id);
    expect(await labelNames(one)).toEqual([]);
    // Each conversation that carried it logs the removal: its activity, every open view.
    const after = await conversationRow(t.env.ctx, one);
    expect(after.lastSeq).toBeGreaterThan(before.lastSeq);
    const activity = (await conversationActivity(t.env.ctx, after)).filter(
      (a) => a.kind === "labels_changed",
    );
    expect(activity.at(-1)).toMatchObject({ actor: { name: "鈴木 文" }, added: [], removed: ["返品・交換"] });
    const logged = await changesSince(t.env.ctx.db, inbox(), before.lastSeq);
    expect(
      logged
        .filter((c) => c.kind === "labels_changed" && c.data.deleted === true)
        .map((c) => c.conversationId)
        .sort(),
    ).toEqual([one, two].sort());
    expect((await listLabels(t.env.ctx, alice(), inbox())).some((l) => l.id === label.id)).toBe(false);
  });

  it("puts a label on the conversations of a 一括操作, one the user may not work failing alone", async () => {
    const label = await createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: "一括" });
    const mine = [await customerConversation("bulk-1"), await customerConversation("bulk-2")];
    const elsewhere = await addSharedInbox(t.env.ctx, {
      address: "closed@example.co.jp",
      name: "非公開",
      memberEmails: ["bob@example.co.jp"],
    });
    const theirs = await deliver(
      t.env.ctx,
      elsewhere.id,
      mail({ messageId: "bulk-theirs@customer.example" }),
    );
    const outcomes = await bulkUpdateConversations(
      t.env.ctx,
      alice(),
      [...mine, theirs.conversationId ?? -1],
      { kind: "label", labelId: label.id, add: true },
    );
    expect(outcomes.map((o) => o.error?.code ?? null)).toEqual([null, null, "FORBIDDEN"]);
    expect((await listedWith(label.id)).sort()).toEqual([...mine].sort());
    await bulkUpdateConversations(t.env.ctx, alice(), mine, { kind: "label", labelId: label.id, add: false });
    expect(await listedWith(label.id)).toEqual([]);
  });
});
