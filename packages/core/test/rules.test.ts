import { conversations, inboxMembers } from "@madoguchi/db/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { assignConversation } from "../src/conversations/assign";
import { createLabel, deleteLabel, labelsOf } from "../src/conversations/labels";
import {
  createRule,
  deleteRule,
  listRules,
  moveRule,
  type RuleInput,
  updateRule,
} from "../src/conversations/rules";
import { deliver } from "../src/deliver/deliver";
import { isAppError } from "../src/errors";
import { conversationActivity } from "../src/web/activity";
import { mail, useTeamEnv } from "./fixtures";
import { drivers } from "./harness";

describe.each(drivers)("自動振り分け on %s", (driver) => {
  const t = useTeamEnv(driver);
  const inbox = () => t.team.info.id;
  const alice = () => t.team.alice.id;
  const bob = () => t.team.bob.id;
  let n = 0;

  /** A customer's mail to info@: its conversation as stored. */
  const arrive = async (spec: {
    from?: string;
    subject?: string;
    body?: string;
    inReplyTo?: string;
    messageId?: string;
  }) => {
    const messageId = spec.messageId ?? `rules-${++n}-${driver}@customer.example`;
    const delivered = await deliver(t.env.ctx, inbox(), mail({ ...spec, messageId }));
    const [row] = await t.env.ctx.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, delivered.conversationId ?? 0));
    if (!row) throw new Error("no conversation");
    const labels = ((await labelsOf(t.env.ctx.db, [row.id])).get(row.id) ?? []).map((l) => l.name);
    return { id: row.id, status: row.status, assigneeId: row.assigneeId, labels, row, messageId };
  };
  const rule = (input: Partial<RuleInput> & Pick<RuleInput, "conditions">) =>
    createRule(t.env.ctx, alice(), {
      inboxId: inbox(),
      name: input.name ?? "rule",
      enabled: input.enabled,
      conditions: input.conditions,
      actions: input.actions ?? { assigneeId: null, labelIds: [], status: "in_progress" },
    });
  const reasonOf = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (err: unknown) => (isAppError(err) ? `${err.code} ${String(err.details.reason ?? "")}`.trim() : err),
    );
  const clear = async () => {
    for (const r of await listRules(t.env.ctx, alice(), inbox())) await deleteRule(t.env.ctx, alice(), r.id);
  };

  it("a new inquiry meeting every condition is assigned, labelled and set as the rule says, logged with its name", async () => {
    await clear();
    const seikyu = await createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: `請求-${driver}` });
    await rule({
      name: "請求書",
      conditions: [
        { field: "from", value: "BigClient" },
        { field: "subject", value: "請求" },
      ],
      actions: { assigneeId: bob(), labelIds: [seikyu.id], status: "in_progress" },
    });
    // Full-width digits and letters, another case: matched as a person reads them.
    const hit = await arrive({
      from: "経理 <keiri@ｂｉｇｃｌｉｅｎｔ.co.jp>",
      subject: "３月分の請求書について",
    });
    expect(hit).toMatchObject({ status: "in_progress", assigneeId: bob(), labels: [seikyu.name] });
    const activity = (await conversationActivity(t.env.ctx, hit.row)).filter((a) =>
      ["assignee_changed", "labels_changed", "status_changed"].includes(a.kind),
    );
    expect(activity).toMatchObject([
      { kind: "labels_changed", actor: null, added: [seikyu.name], rule: "請求書" },
      { kind: "assignee_changed", actor: null, to: { id: bob() }, rule: "請求書" },
      { kind: "status_changed", actor: null, to: "in_progress", reason: "rule", rule: "請求書" },
    ]);

    // One condition not met: left alone.
    const miss = await arrive({ from: "keiri@bigclient.co.jp", subject: "打ち合わせの件" });
    expect(miss).toMatchObject({ status: "open", assigneeId: null, labels: [] });
    const other = await arrive({ from: "someone@other.example", subject: "請求書" });
    expect(other).toMatchObject({ status: "open", assigneeId: null });

    // A follow-up is left alone: the person who reassigned it keeps it.
    await assignConversation(t.env.ctx, { conversationId: hit.id, userId: alice(), assigneeId: alice() });
    const followUp = await arrive({
      from: "keiri@bigclient.co.jp",
      subject: "Re: ３月分の請求書について",
      inReplyTo: hit.messageId,
    });
    expect(followUp.id).toBe(hit.id);
    expect(followUp.assigneeId).toBe(alice());
  });

  it("applies every matching rule in order: a later one overrides the assignee and status, labels add up", async () => {
    await clear();
    const a = await createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: `A-${driver}` });
    const b = await createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: `B-${driver}` });
    const first = await rule({
      name: "first",
      conditions: [{ field: "body", value: "至急" }],
      actions: { assigneeId: alice(), labelIds: [a.id], status: "waiting" },
    });
    const second = await rule({
      name: "second",
      conditions: [{ field: "to", value: "info@example" }],
      actions: { assigneeId: bob(), labelIds: [b.id], status: null },
    });
    const both = await arrive({ body: "至急ご確認ください。" });
    expect(both).toMatchObject({ assigneeId: bob(), status: "waiting" });
    expect(both.labels.sort()).toEqual([a.name, b.name].sort());

    // Moved up, the second now comes first: the first one's assignee wins.
    expect(
      (await moveRule(t.env.ctx, alice(), { ruleId: second.id, direction: "up" })).map((r) => r.name),
    ).toEqual(["second", "first"]);
    expect((await arrive({ body: "至急です" })).assigneeId).toBe(alice());

    // Switched off: not applied.
    await updateRule(t.env.ctx, alice(), { ruleId: first.id, enabled: false });
    await updateRule(t.env.ctx, alice(), { ruleId: second.id, enabled: false });
    expect(await arrive({ body: "至急" })).toMatchObject({ assigneeId: null, status: "open", labels: [] });
  });

  it("a rule whose assignee left or whose label is gone skips that part, and the mail is delivered", async () => {
    await clear();
    const gone = await createLabel(t.env.ctx, alice(), { inboxId: inbox(), name: `gone-${driver}` });
    await rule({
      name: "stale",
      conditions: [{ field: "subject", value: "見積" }],
      actions: { assigneeId: bob(), labelIds: [gone.id], status: "in_progress" },
    });
    await deleteLabel(t.env.ctx, alice(), gone.id);
    await t.env.ctx.db
      .delete(inboxMembers)
      .where(and(eq(inboxMembers.inboxId, inbox()), eq(inboxMembers.userId, bob())));
    try {
      expect(await arrive({ subject: "見積のお願い" })).toMatchObject({
        assigneeId: null,
        labels: [],
        status: "in_progress",
      });
      // Switched off and renamed all the same; what is gone leaves the rule then.
      const [stale] = await listRules(t.env.ctx, alice(), inbox());
      const updated = await updateRule(t.env.ctx, alice(), {
        ruleId: stale?.id ?? 0,
        enabled: false,
        name: "old",
      });
      expect(updated).toMatchObject({
        enabled: false,
        name: "old",
        actions: { assigneeId: null, labelIds: [], status: "in_progress" },
      });
    } finally {
      await t.env.ctx.db.insert(inboxMembers).values({ inboxId: inbox(), userId: bob() });
    }
  });

  it("refuses a rule without a condition or an action, with someone or a label not of the inbox, and non-members", async () => {
    await clear();
    expect(await reasonOf(rule({ conditions: [{ field: "subject", value: "  " }] }))).toBe(
      "INVALID_INPUT rule_no_condition",
    );
    expect(
      await reasonOf(
        rule({
          conditions: [{ field: "subject", value: "x" }],
          actions: { assigneeId: null, labelIds: [], status: null },
        }),
      ),
    ).toBe("INVALID_INPUT rule_no_action");
    expect(
      await reasonOf(
        rule({
          conditions: [{ field: "subject", value: "x" }],
          actions: { assigneeId: t.team.carol.id, labelIds: [], status: null },
        }),
      ),
    ).toBe("INVALID_INPUT");
    expect(
      await reasonOf(
        rule({
          conditions: [{ field: "subject", value: "x" }],
          actions: { assigneeId: null, labelIds: [999_999], status: null },
        }),
      ),
    ).toBe("INVALID_INPUT");
    const made = await rule({
      name: "  名前  ",
      conditions: [
        { field: "subject", value: " x " },
        { field: "body", value: "" },
      ],
    });
    expect(made).toMatchObject({
      name: "名前",
      conditions: [{ field: "subject", value: "x" }],
      enabled: true,
    });
    expect(await reasonOf(listRules(t.env.ctx, t.team.carol.id, inbox()))).toBe("FORBIDDEN");
    expect(await reasonOf(updateRule(t.env.ctx, t.team.carol.id, { ruleId: made.id, enabled: false }))).toBe(
      "FORBIDDEN",
    );
    expect(await reasonOf(deleteRule(t.env.ctx, t.team.carol.id, made.id))).toBe("FORBIDDEN");
  });
});
