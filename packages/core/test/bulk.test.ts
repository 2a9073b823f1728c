import { conversationReads, conversations } from "@madoguchi/db/schema";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { deliver } from "../src/deliver/deliver";
import { addSharedInbox } from "../src/directory/inboxes";
import { bulkUpdateConversations, MAX_BULK } from "../src/web/bulk";
import { mail, useTeamEnv } from "./fixtures";
import { drivers } from "./harness";

describe.each(drivers)("一括操作 on %s", (driver) => {
  const t = useTeamEnv(driver);

  const three = async (key: string) => {
    const ids: number[] = [];
    for (const i of [1, 2, 3])
      ids.push(
        (await deliver(t.env.ctx, t.team.info.id, mail({ subject: `${key} ${i}` }))).conversationId ?? -1,
      );
    return ids;
  };
  const rows = (ids: number[]) =>
    t.env.ctx.db.select().from(conversations).where(inArray(conversations.id, ids)).orderBy(conversations.id);

  it("changes each conversation as its own action would; one the user may not work fails alone", async () => {
    const ids = await three("一括");
    const sales = await addSharedInbox(t.env.ctx, {
      address: "sales@example.co.jp",
      name: "営業",
      memberEmails: ["carol@example.co.jp"],
    });
    const other =
      (await deliver(t.env.ctx, sales.id, mail({ to: "sales@example.co.jp" }))).conversationId ?? -1;
    const outcomes = await bulkUpdateConversations(
      t.env.ctx,
      t.team.alice.id,
      [ids[0] ?? -1, other, ids[1] ?? -1],
      {
        kind: "status",
        status: "done",
      },
    );
    expect(outcomes.map((o) => [o.conversationId, o.error?.code ?? null])).toEqual([
      [ids[0], null],
      [other, "FORBIDDEN"],
      [ids[1], null],
    ]);
    expect((await rows(ids)).map((r) => r.status)).toEqual(["done", "done", "open"]);
    expect((await rows([other]))[0]?.status).toBe("open");
  });

  it("assigns, marks read and moves to 迷惑メール, each conversation once however often it is named", async () => {
    const ids = await three("まとめて");
    const twice = [...ids, ...ids];
    await bulkUpdateConversations(t.env.ctx, t.team.alice.id, twice, {
      kind: "assignee",
      assigneeId: t.team.bob.id,
    });
    expect((await rows(ids)).map((r) => r.assigneeId)).toEqual(ids.map(() => t.team.bob.id));
    const read = await bulkUpdateConversations(t.env.ctx, t.team.alice.id, twice, {
      kind: "read",
      read: true,
    });
    expect(read).toHaveLength(3);
    const reads = await t.env.ctx.db
      .select()
      .from(conversationReads)
      .where(
        and(inArray(conversationReads.conversationId, ids), eq(conversationReads.userId, t.team.alice.id)),
      );
    expect(reads.map((r) => r.readSeq).sort()).toEqual(read.map((o) => o.readSeq).sort());
    expect(reads.every((r) => r.readSeq > 0)).toBe(true);
    await bulkUpdateConversations(t.env.ctx, t.team.alice.id, ids.slice(0, 2), { kind: "junk", junk: true });
    expect((await rows(ids)).map((r) => r.junk)).toEqual([true, true, false]);
    // carol is not a member of info@: refused for each.
    const refused = await bulkUpdateConversations(t.env.ctx, t.team.alice.id, ids, {
      kind: "assignee",
      assigneeId: t.team.carol.id,
    });
    expect(refused.map((o) => o.error?.code)).toEqual(["INVALID_INPUT", "INVALID_INPUT", "INVALID_INPUT"]);
  });

  it("takes a page of the list at most, and names a conversation that is gone", async () => {
    const gone = Array.from({ length: MAX_BULK + 1 }, (_, i) => 900_000_000 + i);
    const outcomes = await bulkUpdateConversations(t.env.ctx, t.team.alice.id, gone, {
      kind: "read",
      read: true,
    });
    expect(outcomes).toHaveLength(100);
    expect(new Set(outcomes.map((o) => o.error?.code))).toEqual(new Set(["NOT_FOUND"]));
  });
});
