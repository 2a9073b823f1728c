import { notifications } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { assignConversation } from "../src/conversations/assign";
import { snoozeConversation, wakeDueSnoozes } from "../src/conversations/snooze";
import { setStatus } from "../src/conversations/status";
import { deliver } from "../src/deliver/deliver";
import { isAppError } from "../src/errors";
import { conversationActivity } from "../src/web/activity";
import { listConversations } from "../src/web/conversation-list";
import {
  conversationRow,
  customerConversation as customerConversationIn,
  mail,
  useTeamEnv,
} from "./fixtures";
import { drivers } from "./harness";

const HOUR = 60 * 60 * 1000;

describe.each(drivers)("スヌーズ on %s", (driver) => {
  const t = useTeamEnv(driver);
  const inbox = () => t.team.info.id;
  const alice = () => t.team.alice.id;
  const bob = () => t.team.bob.id;
  /** The context as it will be `ms` from now: the waker's view once the time has come. */
  const later = (ms: number) => ({ ...t.env.ctx, now: () => new Date(Date.now() + ms) });

  const customerConversation = (key: string) => customerConversationIn(t.env.ctx, inbox(), key);
  const row = (id: number) => conversationRow(t.env.ctx, id);
  const snoozeActivity = async (id: number) =>
    (await conversationActivity(t.env.ctx, await row(id)))
      .filter((a) => a.kind === "snooze_changed" || a.kind === "status_changed")
      .map((a) =>
        a.kind === "snooze_changed"
          ? { kind: a.kind, until: a.until, reason: a.reason, actor: a.actor?.id ?? null }
          : a.kind === "status_changed"
            ? { kind: a.kind, to: a.to, actor: a.actor?.id ?? null }
            : null,
      );
  const notificationsOf = async (conversationId: number) =>
    t.env.ctx.db
      .select({ userId: notifications.userId, kind: notifications.kind, actorId: notifications.actorId })
      .from(notifications)
      .where(eq(notifications.conversationId, conversationId))
      .orderBy(notifications.userId);
  const reasonOf = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (err: unknown) => (isAppError(err) ? `${err.code} ${String(err.details.reason ?? "")}` : err),
    );

  it("snoozes until a time as 保留, listed with the time, and logs who did it", async () => {
    const id = await customerConversation("snooze-1");
    const until = new Date(Date.now() + 3 * HOUR);
    const { seq } = await snoozeConversation(t.env.ctx, { conversationId: id, userId: alice(), until });
    expect(seq).toBeGreaterThan(0);
    expect(await row(id)).toMatchObject({ status: "waiting", snoozedUntil: until, snoozedBy: alice() });
    const listed = await listConversations(t.env.ctx, bob(), { inboxId: inbox(), status: "waiting" });
    expect(listed.rows.find((r) => r.id === id)?.snoozedUntil).toEqual(until);
    expect(await snoozeActivity(id)).toEqual([
      { kind: "status_changed", to: "waiting", actor: alice() },
      { kind: "snooze_changed", until: until.toISOString(), reason: null, actor: alice() },
    ]);
  });

  it("when the time comes: 未対応 again, logged as due, and who snoozed it and the assignee are notified", async () => {
    const id = await customerConversation("snooze-2");
    await assignConversation(t.env.ctx, { conversationId: id, userId: alice(), assigneeId: bob() });
    const until = new Date(Date.now() + HOUR);
    await snoozeConversation(t.env.ctx, { conversationId: id, userId: alice(), until });
    // Not yet due: nothing happens.
    expect((await wakeDueSnoozes(later(HOUR / 2))).filter((n) => n.conversationId === id)).toEqual([]);
    expect((await row(id)).status).toBe("waiting");

    const woken = (await wakeDueSnoozes(later(HOUR + 1000))).filter((n) => n.conversationId === id);
    expect(
      woken
        .map((n) => ({ userId: n.userId, actorName: n.actorName, subject: n.subject }))
        .sort((a, b) => a.userId - b.userId),
    ).toEqual(
      [
        { userId: alice(), actorName: t.team.alice.name, subject: "件名 snooze-2" },
        { userId: bob(), actorName: t.team.alice.name, subject: "件名 snooze-2" },
      ].sort((a, b) => a.userId - b.userId),
    );
    expect(await row(id)).toMatchObject({ status: "open", snoozedUntil: null, snoozedBy: null });
    expect((await snoozeActivity(id)).slice(-2)).toEqual([
      { kind: "snooze_changed", until: null, reason: "due", actor: null },
      { kind: "status_changed", to: "open", actor: null },
    ]);
    // Woken once: a second pass (another server process) finds nothing left.
    expect((await wakeDueSnoozes(later(HOUR + 2000))).filter((n) => n.conversationId === id)).toEqual([]);
    expect(await notificationsOf(id)).toHaveLength(2);
  });

  it("a customer writing before the time ends the snooze: reopened, nobody notified later", async () => {
    const id = await customerConversation("snooze-3");
    await snoozeConversation(t.env.ctx, {
      conversationId: id,
      userId: alice(),
      until: new Date(Date.now() + HOUR),
    });
    await deliver(
      t.env.ctx,
      inbox(),
      mail({
        messageId: "snooze-3b@customer.example",
        inReplyTo: "snooze-3@customer.example",
        subject: "Re: 件名 snooze-3",
      }),
    );
    expect(await row(id)).toMatchObject({ status: "open", snoozedUntil: null });
    expect((await snoozeActivity(id)).slice(-2)).toEqual([
      { kind: "snooze_changed", until: null, reason: "customer_wrote", actor: null },
      { kind: "status_changed", to: "open", actor: null },
    ]);
    await wakeDueSnoozes(later(2 * HOUR));
    expect(await notificationsOf(id)).toEqual([]);
  });

  it("解除 puts it back to 未対応 at once; another status set by hand ends the snooze too", async () => {
    const id = await customerConversation("snooze-4");
    const until = new Date(Date.now() + HOUR);
    await snoozeConversation(t.env.ctx, { conversationId: id, userId: alice(), until });
    await snoozeConversation(t.env.ctx, { conversationId: id, userId: bob(), until: null });
    expect(await row(id)).toMatchObject({ status: "open", snoozedUntil: null });
    expect((await snoozeActivity(id)).slice(-2)).toEqual([
      { kind: "snooze_changed", until: null, reason: null, actor: bob() },
      { kind: "status_changed", to: "open", actor: bob() },
    ]);
    // Nothing to take off: no change logged.
    expect(await snoozeConversation(t.env.ctx, { conversationId: id, userId: bob(), until: null })).toEqual({
      seq: null,
    });

    await snoozeConversation(t.env.ctx, { conversationId: id, userId: alice(), until });
    await setStatus(t.env.ctx, { conversationId: id, userId: bob(), status: "done" });
    expect(await row(id)).toMatchObject({ status: "done", snoozedUntil: null });
    await wakeDueSnoozes(later(2 * HOUR));
    expect((await row(id)).status).toBe("done");
  });

  it("snoozing again moves the time; a time past, over a year ahead, or a non-member is refused", async () => {
    const id = await customerConversation("snooze-5");
    await snoozeConversation(t.env.ctx, {
      conversationId: id,
      userId: alice(),
      until: new Date(Date.now() + HOUR),
    });
    const moved = new Date(Date.now() + 5 * HOUR);
    await snoozeConversation(t.env.ctx, { conversationId: id, userId: alice(), until: moved });
    expect((await row(id)).snoozedUntil).toEqual(moved);
    await wakeDueSnoozes(later(2 * HOUR));
    expect((await row(id)).status).toBe("waiting");

    const snooze = (userId: number, until: Date) =>
      reasonOf(snoozeConversation(t.env.ctx, { conversationId: id, userId, until }));
    expect(await snooze(alice(), new Date(Date.now() - 1000))).toBe("INVALID_INPUT snooze_in_past");
    expect(await snooze(alice(), new Date(Date.now() + 400 * 24 * HOUR))).toBe(
      "INVALID_INPUT snooze_too_far",
    );
    expect(await snooze(t.team.carol.id, new Date(Date.now() + HOUR))).toBe("FORBIDDEN ");
    expect((await row(id)).snoozedUntil).toEqual(moved);
  });
});
