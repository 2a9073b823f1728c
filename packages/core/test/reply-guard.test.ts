import { changes, drafts, messages } from "@madoguchi/db/schema";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { assignConversation } from "../src/conversations/assign";
import { addComment, deleteComment, editComment, listComments } from "../src/conversations/comments";
import { getConversation } from "../src/conversations/lock";
import { claimReply, recordReply, tryRecordReply } from "../src/conversations/reply-guard";
import { deliver } from "../src/deliver/deliver";
import { type AppError, isAppError } from "../src/errors";
import { mail, useTeamEnv } from "./fixtures";
import { drivers } from "./harness";

describe.each(drivers)("reply guard on %s", (driver) => {
  const t = useTeamEnv(driver);

  async function newConversation(subject = "返金について") {
    const d = await deliver(t.env.ctx, t.team.info.id, mail({ subject }));
    const conversation = await getConversation(t.env.ctx, d.conversationId ?? -1, t.team.alice.id);
    return { id: conversation.id, seq: conversation.lastSeq };
  }

  it("lets exactly one of 50 concurrent replies with the same view through", async () => {
    const conv = await newConversation();
    const users = [t.team.alice.id, t.team.bob.id];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        tryRecordReply(t.env.ctx, {
          conversationId: conv.id,
          userId: users[i % 2] ?? t.team.alice.id,
          basedOnSeq: conv.seq,
          draft: { bodyText: `返信 ${i}` },
        }),
      ),
    );
    expect(results.filter((r) => r.sent)).toHaveLength(1);
    const refused = results.filter((r) => !r.sent);
    expect(refused).toHaveLength(49);
    // Every refused reply is kept as a draft, none lost.
    const kept = await t.env.ctx.db
      .select()
      .from(drafts)
      .where(and(eq(drafts.conversationId, conv.id), eq(drafts.state, "refused")));
    expect(kept).toHaveLength(49);
    const sentLog = await t.env.ctx.db
      .select()
      .from(changes)
      .where(and(eq(changes.conversationId, conv.id), eq(changes.kind, "reply_sent")));
    expect(sentLog).toHaveLength(1);
  });

  it("names who replied and when, and marks the customer's mail \\Answered", async () => {
    const conv = await newConversation();
    await recordReply(t.env.ctx, { conversationId: conv.id, userId: t.team.alice.id, basedOnSeq: conv.seq });
    const err = (await recordReply(t.env.ctx, {
      conversationId: conv.id,
      userId: t.team.bob.id,
      basedOnSeq: conv.seq,
      draft: { bodyText: "二重返信" },
    }).catch((e) => e)) as AppError;
    expect(isAppError(err, "REPLY_CONFLICT")).toBe(true);
    expect(err.message).toContain("佐藤 愛");
    expect(err.message).toContain("replied");
    expect(err.details).toMatchObject({ kind: "reply_sent", byUserId: t.team.alice.id });
    expect(typeof err.details.draftId).toBe("number");
    const inbound = await t.env.ctx.db.select().from(messages).where(eq(messages.conversationId, conv.id));
    expect(inbound.every((m) => m.flags.includes("\\Answered"))).toBe(true);
    const after = await getConversation(t.env.ctx, conv.id, t.team.alice.id);
    expect(after.status).toBe("done");
    expect(after.lastSeq).toBeGreaterThanOrEqual(inbound[0]?.modseq ?? Number.POSITIVE_INFINITY);
  });

  it("refuses a reply drafted before a teammate's comment or a new customer message", async () => {
    const conv = await newConversation("請求書について");
    await addComment(t.env.ctx, {
      conversationId: conv.id,
      userId: t.team.bob.id,
      body: "@alice 先方に電話済みです",
    });
    const err = await recordReply(t.env.ctx, {
      conversationId: conv.id,
      userId: t.team.alice.id,
      basedOnSeq: conv.seq,
    }).catch((e) => e);
    expect(isAppError(err, "REPLY_CONFLICT")).toBe(true);
    expect(err.details.kind).toBe("comment_added");
    expect(err.message).toContain("鈴木 文");

    const seen = (await getConversation(t.env.ctx, conv.id, t.team.alice.id)).lastSeq;
    const first = (await t.env.ctx.db.select().from(messages).where(eq(messages.conversationId, conv.id)))[0];
    await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({
        subject: "Re: 請求書について",
        inReplyTo: first?.messageIdHeader ?? "",
        from: "taro@customer.example",
      }),
    );
    const err2 = await recordReply(t.env.ctx, {
      conversationId: conv.id,
      userId: t.team.alice.id,
      basedOnSeq: seen,
    }).catch((e) => e);
    expect(err2.details.kind).toBe("message_added");
    expect(err2.message).toContain("taro@customer.example");

    // Overriding is possible, and audited.
    await recordReply(t.env.ctx, {
      conversationId: conv.id,
      userId: t.team.alice.id,
      basedOnSeq: seen,
      override: true,
    });
    const [audit] = await t.env.ctx.db
      .select()
      .from(changes)
      .where(and(eq(changes.conversationId, conv.id), eq(changes.kind, "reply_sent")));
    expect(audit?.data).toMatchObject({ override: true, basedOnSeq: seen });
  });

  it("shows who holds the reply claim; the claim does not block the guard", async () => {
    const conv = await newConversation();
    expect(await claimReply(t.env.ctx, { conversationId: conv.id, userId: t.team.alice.id })).toMatchObject({
      claimed: true,
    });
    const other = await claimReply(t.env.ctx, { conversationId: conv.id, userId: t.team.bob.id });
    expect(other).toMatchObject({ claimed: false, holderId: t.team.alice.id, holderName: "佐藤 愛" });
    const later = { ...t.env.ctx, now: () => new Date(Date.now() + 10 * 60 * 1000) };
    expect(await claimReply(later, { conversationId: conv.id, userId: t.team.bob.id })).toMatchObject({
      claimed: true,
    });
  });

  it("lets a teammate take the claim over explicitly, and records it", async () => {
    const conv = await newConversation();
    await claimReply(t.env.ctx, { conversationId: conv.id, userId: t.team.alice.id });
    const taken = await claimReply(t.env.ctx, {
      conversationId: conv.id,
      userId: t.team.bob.id,
      takeOver: true,
    });
    expect(taken).toMatchObject({ claimed: true });
    const back = await claimReply(t.env.ctx, { conversationId: conv.id, userId: t.team.alice.id });
    expect(back).toMatchObject({ claimed: false, holderId: t.team.bob.id });
    const log = await t.env.ctx.db
      .select()
      .from(changes)
      .where(and(eq(changes.conversationId, conv.id), eq(changes.kind, "reply_claimed")))
      .orderBy(asc(changes.seq));
    expect(log.map((c) => c.data.takenOverFrom ?? null)).toEqual([null, t.team.alice.id]);
  });

  it("checks membership for every conversation action", async () => {
    const conv = await newConversation();
    const attempts: (() => Promise<unknown>)[] = [
      () =>
        recordReply(t.env.ctx, { conversationId: conv.id, userId: t.team.carol.id, basedOnSeq: conv.seq }),
      () => addComment(t.env.ctx, { conversationId: conv.id, userId: t.team.carol.id, body: "hi" }),
      () => claimReply(t.env.ctx, { conversationId: conv.id, userId: t.team.carol.id }),
      () =>
        assignConversation(t.env.ctx, {
          conversationId: conv.id,
          userId: t.team.carol.id,
          assigneeId: t.team.carol.id,
        }),
      () => getConversation(t.env.ctx, conv.id, t.team.carol.id),
    ];
    for (const attempt of attempts)
      expect(isAppError(await attempt().catch((e) => e), "FORBIDDEN")).toBe(true);
    const notMember = await assignConversation(t.env.ctx, {
      conversationId: conv.id,
      userId: t.team.alice.id,
      assigneeId: t.team.carol.id,
    }).catch((e) => e);
    expect(isAppError(notMember, "INVALID_INPUT")).toBe(true);
  });

  it("keeps the chat: mentions, edit and delete of one's own comments only", async () => {
    const conv = await newConversation();
    const c = await addComment(t.env.ctx, {
      conversationId: conv.id,
      userId: t.team.alice.id,
      body: "@bob 確認お願いします",
    });
    expect(c.mentions).toEqual([t.team.bob.id]);
    const notMine = await editComment(t.env.ctx, {
      conversationId: conv.id,
      commentId: c.id,
      userId: t.team.bob.id,
      body: "改ざん",
    }).catch((e) => e);
    expect(isAppError(notMine, "FORBIDDEN")).toBe(true);
    await editComment(t.env.ctx, {
      conversationId: conv.id,
      commentId: c.id,
      userId: t.team.alice.id,
      body: "@bob@example.co.jp 至急",
    });
    await assignConversation(t.env.ctx, {
      conversationId: conv.id,
      userId: t.team.alice.id,
      assigneeId: t.team.bob.id,
    });
    const listed = await listComments(t.env.ctx, conv.id, t.team.bob.id);
    expect(listed[0]).toMatchObject({ body: "@bob@example.co.jp 至急", mentions: [t.team.bob.id] });
    await deleteComment(t.env.ctx, { conversationId: conv.id, commentId: c.id, userId: t.team.alice.id });
    expect((await listComments(t.env.ctx, conv.id, t.team.bob.id))[0]?.deletedAt).not.toBeNull();
    const conversation = await getConversation(t.env.ctx, conv.id, t.team.bob.id);
    expect(conversation.assigneeId).toBe(t.team.bob.id);
  });
});
