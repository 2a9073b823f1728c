import { conversations } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { deliver } from "../src/deliver/deliver";
import { isAppError } from "../src/errors";
import { appendMessage } from "../src/mailstore/append";
import { copyMessages } from "../src/mailstore/copy";
import { expunge } from "../src/mailstore/expunge";
import { hideForUser, storeFlags } from "../src/mailstore/flags";
import { listMailboxes, openMailbox } from "../src/mailstore/folders";
import { listMessages, mailboxChangesSince, mailboxCounts } from "../src/mailstore/messages";
import { mail, useTeamEnv } from "./fixtures";
import { drivers } from "./harness";

describe.each(drivers)("mailstore on %s", (driver) => {
  const t = useTeamEnv(driver);
  let infoInbox: number;
  let infoArchive: number;
  beforeAll(async () => {
    const boxes = await listMailboxes(t.env.ctx, t.team.alice.id);
    infoInbox = boxes.find((b) => b.inboxAddress === "info@example.co.jp" && b.name === "INBOX")?.id ?? -1;
    infoArchive =
      boxes.find((b) => b.inboxAddress === "info@example.co.jp" && b.name === "Archive")?.id ?? -1;
  });

  const flagsOf = async (userId: number, uid: number) =>
    (await listMessages(t.env.ctx, { userId, mailboxId: infoInbox, uids: [uid] }))[0]?.flags.sort() ?? [];

  it("lists a member's folders; others cannot open them, not even by id", async () => {
    const alice = await listMailboxes(t.env.ctx, t.team.alice.id);
    expect(alice.filter((b) => b.inboxKind === "personal").map((b) => b.name)).toEqual([
      "INBOX",
      "Sent",
      "Drafts",
      "Trash",
      "Archive",
      "Junk",
    ]);
    expect(alice.filter((b) => b.inboxAddress === "info@example.co.jp")).toHaveLength(6);
    const carol = await listMailboxes(t.env.ctx, t.team.carol.id);
    expect(carol.every((b) => b.inboxAddress === "carol@example.co.jp")).toBe(true);
    const err = await openMailbox(t.env.ctx.db, t.team.carol.id, infoInbox).catch((e) => e);
    expect(isAppError(err, "NOT_FOUND")).toBe(true);
    const err2 = await listMessages(t.env.ctx, { userId: t.team.carol.id, mailboxId: infoInbox }).catch(
      (e) => e,
    );
    expect(isAppError(err2, "NOT_FOUND")).toBe(true);
  });

  it("keeps \\Seen per user and other flags shared, with per-user modseq", async () => {
    const d = await deliver(t.env.ctx, t.team.info.id, mail({ subject: "既読テスト" }));
    const r = await storeFlags(t.env.ctx, {
      userId: t.team.alice.id,
      mailboxId: infoInbox,
      uids: [d.uid],
      mode: "add",
      flags: ["\\Seen", "\\Flagged", "$Label1"],
    });
    expect(r.updated[0]?.flags).toEqual(
      expect.arrayContaining(["\\Seen", "\\Flagged", "$Label1", "$Status_Open"]),
    );
    expect(await flagsOf(t.team.bob.id, d.uid)).toEqual(["$Label1", "$Status_Open", "\\Flagged"].sort());
    const counts = await mailboxCounts(t.env.ctx, { userId: t.team.bob.id, mailboxId: infoInbox });
    expect(counts.unseen).toBe(counts.messages);
    const aliceView = await mailboxChangesSince(t.env.ctx, {
      userId: t.team.alice.id,
      mailboxId: infoInbox,
      sinceModseq: d.seq,
    });
    expect(aliceView.changed.map((m) => m.uid)).toEqual([d.uid]);
    // Bob sets \Seen: only his modseq moves.
    const bobBefore = await openMailbox(t.env.ctx.db, t.team.bob.id, infoInbox);
    await storeFlags(t.env.ctx, {
      userId: t.team.bob.id,
      mailboxId: infoInbox,
      uids: [d.uid],
      mode: "add",
      flags: ["\\Seen"],
    });
    const bobAfter = await openMailbox(t.env.ctx.db, t.team.bob.id, infoInbox);
    expect(bobAfter.highestModseq).toBeGreaterThan(bobBefore.highestModseq);
    const unchanged = await storeFlags(t.env.ctx, {
      userId: t.team.bob.id,
      mailboxId: infoInbox,
      uids: [d.uid],
      mode: "add",
      flags: ["\\Seen"],
    });
    expect(unchanged.updated).toEqual([]);
  });

  it("maps status and assignee keywords to the conversation, both ways", async () => {
    const d = await deliver(t.env.ctx, t.team.info.id, mail({ subject: "キーワード" }));
    await storeFlags(t.env.ctx, {
      userId: t.team.alice.id,
      mailboxId: infoInbox,
      uids: [d.uid],
      mode: "add",
      flags: ["$Status_Done", "$Assignee_bob@example.co.jp"],
    });
    const [conv] = await t.env.ctx.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, d.conversationId ?? -1));
    expect(conv).toMatchObject({ status: "done", assigneeId: t.team.bob.id });
    expect(await flagsOf(t.team.bob.id, d.uid)).toEqual(["$Assignee_bob@example.co.jp", "$Status_Done"]);
    await storeFlags(t.env.ctx, {
      userId: t.team.bob.id,
      mailboxId: infoInbox,
      uids: [d.uid],
      mode: "remove",
      flags: ["$Status_Done", "$Assignee_bob@example.co.jp"],
    });
    expect(await flagsOf(t.team.alice.id, d.uid)).toEqual(["$Status_Open"]);
    const bad = await storeFlags(t.env.ctx, {
      userId: t.team.alice.id,
      mailboxId: infoInbox,
      uids: [d.uid],
      mode: "add",
      flags: ["$Assignee_carol@example.co.jp"],
    }).catch((e) => e);
    expect(isAppError(bad, "INVALID_INPUT")).toBe(true);
  });

  it("honours UNCHANGEDSINCE and never drops concurrent flag changes", async () => {
    const d = await deliver(t.env.ctx, t.team.info.id, mail({ subject: "競合" }));
    await storeFlags(t.env.ctx, {
      userId: t.team.alice.id,
      mailboxId: infoInbox,
      uids: [d.uid],
      mode: "add",
      flags: ["\\Flagged"],
    });
    const stale = await storeFlags(t.env.ctx, {
      userId: t.team.bob.id,
      mailboxId: infoInbox,
      uids: [d.uid],
      mode: "add",
      flags: ["\\Answered"],
      unchangedSince: d.seq,
    });
    expect(stale.failedUids).toEqual([d.uid]);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        storeFlags(t.env.ctx, {
          userId: i % 2 ? t.team.alice.id : t.team.bob.id,
          mailboxId: infoInbox,
          uids: [d.uid],
          mode: "add",
          flags: [`$Tag${i}`],
        }),
      ),
    );
    const flags = await flagsOf(t.team.alice.id, d.uid);
    for (let i = 0; i < 10; i++) expect(flags).toContain(`$Tag${i}`);
    expect(flags).toContain("\\Flagged");
  });

  it("expunges \\Deleted messages with tombstones for VANISHED", async () => {
    const a = await deliver(t.env.ctx, t.team.info.id, mail({ subject: "削除A" }));
    const b = await deliver(t.env.ctx, t.team.info.id, mail({ subject: "削除B" }));
    await storeFlags(t.env.ctx, {
      userId: t.team.alice.id,
      mailboxId: infoInbox,
      uids: [a.uid, b.uid],
      mode: "add",
      flags: ["\\Deleted"],
    });
    const some = await expunge(t.env.ctx, { userId: t.team.alice.id, mailboxId: infoInbox, uids: [a.uid] });
    expect(some.uids).toEqual([a.uid]);
    const rest = await expunge(t.env.ctx, { userId: t.team.bob.id, mailboxId: infoInbox });
    expect(rest.uids).toEqual([b.uid]);
    const since = await mailboxChangesSince(t.env.ctx, {
      userId: t.team.bob.id,
      mailboxId: infoInbox,
      sinceModseq: b.seq,
    });
    expect(since.vanished).toEqual([a.uid, b.uid]);
    expect(
      await listMessages(t.env.ctx, { userId: t.team.bob.id, mailboxId: infoInbox, uids: [a.uid, b.uid] }),
    ).toEqual([]);
  });

  it("copies and moves within an inbox keeping \\Seen and conversation; across inboxes threads anew", async () => {
    const d = await deliver(t.env.ctx, t.team.info.id, mail({ subject: "移動" }));
    await storeFlags(t.env.ctx, {
      userId: t.team.alice.id,
      mailboxId: infoInbox,
      uids: [d.uid],
      mode: "add",
      flags: ["\\Seen"],
    });
    const moved = await copyMessages(t.env.ctx, {
      userId: t.team.bob.id,
      fromMailboxId: infoInbox,
      toMailboxId: infoArchive,
      uids: [d.uid],
      move: true,
    });
    expect(moved.expunged).toEqual([d.uid]);
    const [newUid] = moved.mapping[0]?.slice(1) ?? [];
    const [archived] = await listMessages(t.env.ctx, {
      userId: t.team.alice.id,
      mailboxId: infoArchive,
      uids: [newUid ?? -1],
    });
    expect(archived?.flags).toContain("\\Seen");
    expect(archived?.conversationId).toBe(d.conversationId);

    const personal = (await listMailboxes(t.env.ctx, t.team.alice.id)).find(
      (b) => b.inboxKind === "personal" && b.name === "INBOX",
    );
    const own = await appendMessage(t.env.ctx, {
      userId: t.team.alice.id,
      mailboxId: personal?.id ?? -1,
      raw: mail({ subject: "転送したい" }),
      flags: ["\\Seen"],
    });
    const across = await copyMessages(t.env.ctx, {
      userId: t.team.alice.id,
      fromMailboxId: personal?.id ?? -1,
      toMailboxId: infoInbox,
      uids: [own.uid],
    });
    const [copied] = await listMessages(t.env.ctx, {
      userId: t.team.bob.id,
      mailboxId: infoInbox,
      uids: [across.mapping[0]?.[1] ?? -1],
    });
    expect(copied?.conversationId).not.toBeNull();
    const err = await copyMessages(t.env.ctx, {
      userId: t.team.carol.id,
      fromMailboxId: infoInbox,
      toMailboxId: infoArchive,
      uids: [1],
    }).catch((e) => e);
    expect(isAppError(err, "NOT_FOUND")).toBe(true);
  });

  it("appends with \\Seen for the appender only, and hides POP3-deleted mail for one user", async () => {
    const r = await appendMessage(t.env.ctx, {
      userId: t.team.alice.id,
      mailboxId: infoInbox,
      raw: mail({ subject: "追加" }),
      flags: ["\\Seen", "$Important"],
    });
    expect(await flagsOf(t.team.alice.id, r.uid)).toEqual(expect.arrayContaining(["\\Seen", "$Important"]));
    expect(await flagsOf(t.team.bob.id, r.uid)).not.toContain("\\Seen");
    await hideForUser(t.env.ctx, { userId: t.team.alice.id, mailboxId: infoInbox, uids: [r.uid] });
    const [forAlice] = await listMessages(t.env.ctx, {
      userId: t.team.alice.id,
      mailboxId: infoInbox,
      uids: [r.uid],
    });
    const [forBob] = await listMessages(t.env.ctx, {
      userId: t.team.bob.id,
      mailboxId: infoInbox,
      uids: [r.uid],
    });
    expect(forAlice?.hidden).toBe(true);
    expect(forBob?.hidden).toBe(false);
  });
});
