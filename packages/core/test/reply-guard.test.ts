import { changes, drafts, messages } from "@madoguchi/db/schema";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignConversation } from "../src/conversations/assign";
import { addComment, deleteComment, editComment, listComments } from "../src/conversations/comments";
import { getConversation } from "../src/conversations/lock";
import { claimReply, recordReply, tryRecordReply } from "../src/conversations/reply-guard";
import { deliver } from "../src/deliver/deliver";
import { type AppError, isAppError } from "../src/errors";
import { createTeam, mail, type Team } from "./fixtures";
import { createTestEnv, drivers, type TestEnv } from "./harness";

describe.each(drivers)("reply guard on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  beforeAll(async () => {
    env = await createTestEnv(driver);
    team = await createTeam(env.ctx);
  });
  afterAll(() => env.close());

  async function newConversation(subject = "返金について") {
    const d = await deliver(env.ctx, team.info.id, mail({ subject }));
    const conversation = await getConversation(env.ctx, d.conversationId ?? -1, team.alice.id);
    return { id: conversation.id, seq: conversation.lastSeq };
  }

  it("lets exactly one of 50 concurrent replies with the same view through", async () => {
    const conv = await newConversation();
    const users = [team.alice.id, team.bob.id];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        tryRecordReply(env.ctx, {
          conversationId: conv.id,
          userId: users[i % 2] ?? team.alice.id,
          basedOnSeq: conv.seq,
          draft: { bodyText: `返信 ${i}` },
        }),
      ),
    );
    expect(results.filter((r) => r.sent)).toHaveLength(1);
    const refused = results.filter((r) => !r.sent);
    expect(refused).toHaveLength(49);
    // Every refused reply is kept as a draft, none lost.
    const kept = await env.ctx.db
      .select()
      .from(drafts)
      .where(and(eq(drafts.conversationId, conv.id), eq(drafts.state, "refused")));
    expect(kept).toHaveLength(49);
    const sentLog = await env.ctx.db
      .select()
      .from(changes)
      .where(and(eq(changes.conversationId, conv.id), eq(changes.kind, "reply_sent")));
    expect(sentLog).toHaveLength(1);
  });

  it("names who replied and when, and marks the customer's mail \\Answered", async () => {
    const conv = await newConversation();
    await recordReply(env.ctx, { conversationId: conv.id, userId: team.alice.id, basedOnSeq: conv.seq });
    const err = (await recordReply(env.ctx, {
      conversationId: conv.id,
      userId: team.bob.id,
      basedOnSeq: conv.seq,
      draft: { bodyText: "二重返信" },
    }).catch((e) => e)) as AppError;
    expect(isAppError(err, "REPLY_CONFLICT")).toBe(true);
    expect(err.message).toContain("佐藤 愛");
    expect(err.message).toContain("replied");
    expect(err.details).toMatchObject({ kind: "reply_sent", byUserId: team.alice.id });
    expect(typeof err.details.draftId).toBe("number");
    const inbound = await env.ctx.db.select().from(messages).where(eq(messages.conversationId, conv.id));
    expect(inbound.every((m) => m.flags.includes("\\Answered"))).toBe(true);
    const after = await getConversation(env.ctx, conv.id, team.alice.id);
    expect(after.status).toBe("done");
    expect(after.lastSeq).toBeGreaterThanOrEqual(inbound[0]?.modseq ?? Number.POSITIVE_INFINITY);
  });

  it("refuses a reply drafted before a teammate's comment or a new customer message", async () => {
    const conv = await newConversation("請求書について");
    await addComment(env.ctx, {
      conversationId: conv.id,
      userId: team.bob.id,
      body: "@alice 先方に電話済みです",
    });
    const err = await recordReply(env.ctx, {
      conversationId: conv.id,
      userId: team.alice.id,
      basedOnSeq: conv.seq,
    }).catch((e) => e);
    expect(isAppError(err, "REPLY_CONFLICT")).toBe(true);
    expect(err.details.kind).toBe("comment_added");
    expect(err.message).toContain("鈴木 文");

    const seen = (await getConversation(env.ctx, conv.id, team.alice.id)).lastSeq;
    const first = (await env.ctx.db.select().from(messages).where(eq(messages.conversationId, conv.id)))[0];
    await deliver(
      env.ctx,
      team.info.id,
      mail({
        subject: "Re: 請求書について",
        inReplyTo: first?.messageIdHeader ?? "",
        from: "taro@customer.example",
      }),
    );
    const err2 = await recordReply(env.ctx, {
      conversationId: conv.id,
      userId: team.alice.id,
      basedOnSeq: seen,
    }).catch((e) => e);
    expect(err2.details.kind).toBe("message_added");
    expect(err2.message).toContain("taro@customer.example");

    // Overriding is possible, and audited.
    await recordReply(env.ctx, {
      conversationId: conv.id,
      userId: team.alice.id,
      basedOnSeq: seen,
      override: true,
    });
    const [audit] = await env.ctx.db
      .select()
      .from(changes)
      .where(and(eq(changes.conversationId, conv.id), eq(changes.kind, "reply_sent")));
    expect(audit?.data).toMatchObject({ override: true, basedOnSeq: seen });
  });

  it("shows who holds the reply claim; the claim does not block the guard", async () => {
    const conv = await newConversation();
    expect(await claimReply(env.ctx, { conversationId: conv.id, userId: team.alice.id })).toMatchObject({
      claimed: true,
    });
    const other = await claimReply(env.ctx, { conversationId: conv.id, userId: team.bob.id });
    expect(other).toMatchObject({ claimed: false, holderId: team.alice.id, holderName: "佐藤 愛" });
    const later = { ...env.ctx, now: () => new Date(Date.now() + 10 * 60 * 1000) };
    expect(await claimReply(later, { conversationId: conv.id, userId: team.bob.id })).toMatchObject({
      claimed: true,
    });
  });

  it("checks membership for every conversation action", async () => {
    const conv = await newConversation();
    const attempts: (() => Promise<unknown>)[] = [
      () => recordReply(env.ctx, { conversationId: conv.id, userId: team.carol.id, basedOnSeq: conv.seq }),
      () => addComment(env.ctx, { conversationId: conv.id, userId: team.carol.id, body: "hi" }),
      () => claimReply(env.ctx, { conversationId: conv.id, userId: team.carol.id }),
      () =>
        assignConversation(env.ctx, {
          conversationId: conv.id,
          userId: team.carol.id,
          assigneeId: team.carol.id,
        }),
      () => getConversation(env.ctx, conv.id, team.carol.id),
    ];
    for (const attempt of attempts)
      expect(isAppError(await attempt().catch((e) => e), "FORBIDDEN")).toBe(true);
    const notMember = await assignConversation(env.ctx, {
      conversationId: conv.id,
      userId: team.alice.id,
      assigneeId: team.carol.id,
    }).catch((e) => e);
    expect(isAppError(notMember, "INVALID_INPUT")).toBe(true);
  });

  it("keeps the chat: mentions, edit and delete of one's own comments only", async () => {
    const conv = await newConversation();
    const c = await addComment(env.ctx, {
      conversationId: conv.id,
      userId: team.alice.id,
      body: "@bob 確認お願いします",
    });
    expect(c.mentions).toEqual([team.bob.id]);
    const notMine = await editComment(env.ctx, {
      conversationId: conv.id,
      commentId: c.id,
      userId: team.bob.id,
      body: "改ざん",
    }).catch((e) => e);
    expect(isAppError(notMine, "FORBIDDEN")).toBe(true);
    await editComment(env.ctx, {
      conversationId: conv.id,
      commentId: c.id,
      userId: team.alice.id,
      body: "@bob@example.co.jp 至急",
    });
    await assignConversation(env.ctx, {
      conversationId: conv.id,
      userId: team.alice.id,
      assigneeId: team.bob.id,
    });
    const listed = await listComments(env.ctx, conv.id, team.bob.id);
    expect(listed[0]).toMatchObject({ body: "@bob@example.co.jp 至急", mentions: [team.bob.id] });
    await deleteComment(env.ctx, { conversationId: conv.id, commentId: c.id, userId: team.alice.id });
    expect((await listComments(env.ctx, conv.id, team.bob.id))[0]?.deletedAt).not.toBeNull();
    const conversation = await getConversation(env.ctx, conv.id, team.bob.id);
    expect(conversation.assigneeId).toBe(team.bob.id);
  });
});
