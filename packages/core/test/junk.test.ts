import { conversations, messages } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { setJunk } from "../src/conversations/junk";
import { deliver } from "../src/deliver/deliver";
import { copyMessages } from "../src/mailstore/copy";
import { listMailboxes } from "../src/mailstore/folders";
import { conversationActivity } from "../src/web/activity";
import { listConversations } from "../src/web/conversation-list";
import { inboxOverview } from "../src/web/inbox-overview";
import { mail, useTeamEnv } from "./fixtures";
import { drivers } from "./harness";

describe.each(drivers)("迷惑メール conversations on %s", (driver) => {
  const t = useTeamEnv(driver);
  const folder: Record<string, number> = {};
  beforeAll(async () => {
    for (const b of await listMailboxes(t.env.ctx, t.team.alice.id))
      if (b.inboxAddress === "info@example.co.jp") folder[b.name] = b.id;
  });

  const conversation = async (id: number | null) => {
    const [row] = await t.env.ctx.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, id ?? -1));
    if (!row) throw new Error(`no conversation ${id}`);
    return row;
  };
  /** Direction and folder of each message of a conversation, sorted. */
  const foldersOf = async (conversationId: number | null) => {
    const rows = await t.env.ctx.db
      .select({ mailboxId: messages.mailboxId, direction: messages.direction })
      .from(messages)
      .where(eq(messages.conversationId, conversationId ?? -1))
      .orderBy(messages.id);
    const names = Object.fromEntries(Object.entries(folder).map(([name, id]) => [id, name]));
    return rows.map((r) => `${r.direction}:${names[r.mailboxId]}`).sort();
  };
  const listed = async (junk?: boolean) =>
    (await listConversations(t.env.ctx, t.team.alice.id, { inboxId: t.team.info.id, junk })).rows.map(
      (r) => r.id,
    );
  /** A customer's mail and the team's reply to it, in Sent. */
  const askedAndAnswered = async (key: string) => {
    const asked = await deliver(t.env.ctx, t.team.info.id, mail({ messageId: `${key}@customer.example` }));
    await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ from: "info@example.co.jp", to: "taro@customer.example", inReplyTo: `${key}@customer.example` }),
      { mailbox: "Sent", direction: "outbound" },
    );
    return asked;
  };
  const junkActivity = async (conversationId: number | null) =>
    (await conversationActivity(t.env.ctx, await conversation(conversationId))).filter(
      (a) => a.kind === "junk_changed",
    );
  const overview = async () =>
    (await inboxOverview(t.env.ctx, t.team.alice.id)).find((o) => o.inbox.id === t.team.info.id);

  it("keeps a conversation started by quarantined mail out of the lists and counts, on a list of its own", async () => {
    const before = await overview();
    const spam = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "当選のお知らせ", from: "lucky@spam.example", messageId: "win-1@spam.example" }),
      { mailbox: "Junk" },
    );
    expect((await conversation(spam.conversationId)).junk).toBe(true);
    expect(await listed()).not.toContain(spam.conversationId);
    expect(await listed(true)).toEqual([spam.conversationId]);
    const after = await overview();
    expect(after?.counts.open).toBe(before?.counts.open);
    expect(after?.unread).toBe(before?.unread);
    expect(after?.junk).toBe((before?.junk ?? 0) + 1);

    // The same sender again, still quarantined: still junk.
    const again = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "Re: 当選のお知らせ", from: "lucky@spam.example", inReplyTo: "win-1@spam.example" }),
      { mailbox: "Junk" },
    );
    expect(again.conversationId).toBe(spam.conversationId);
    expect((await conversation(spam.conversationId)).junk).toBe(true);
  });

  it("takes a conversation back into the lists when mail of it arrives that passed the checks", async () => {
    const first = await deliver(t.env.ctx, t.team.info.id, mail({ messageId: "real-1@customer.example" }), {
      mailbox: "Junk",
    });
    expect((await conversation(first.conversationId)).junk).toBe(true);
    const followUp = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "Re: お問い合わせ", inReplyTo: "real-1@customer.example" }),
    );
    expect(followUp.conversationId).toBe(first.conversationId);
    expect((await conversation(first.conversationId)).junk).toBe(false);
    expect(await listed()).toContain(first.conversationId);
  });

  it("keeps a conversation in the lists when quarantined mail joins it", async () => {
    const first = await deliver(t.env.ctx, t.team.info.id, mail({ messageId: "q-1@customer.example" }));
    await deliver(t.env.ctx, t.team.info.id, mail({ subject: "Re: x", inReplyTo: "q-1@customer.example" }), {
      mailbox: "Junk",
    });
    expect((await conversation(first.conversationId)).junk).toBe(false);
  });

  it("迷惑メールではない moves its mail back to INBOX and logs who did it; 迷惑メールにする moves customer mail to Junk", async () => {
    const spam = await deliver(t.env.ctx, t.team.info.id, mail({ subject: "見積もり依頼" }), {
      mailbox: "Junk",
    });
    const back = await setJunk(t.env.ctx, {
      conversationId: spam.conversationId ?? -1,
      userId: t.team.bob.id,
      junk: false,
    });
    expect(back.moved).toBe(1);
    expect(await foldersOf(spam.conversationId)).toEqual(["inbound:INBOX"]);
    expect((await conversation(spam.conversationId)).junk).toBe(false);
    expect(await listed()).toContain(spam.conversationId);
    // Again: already so, nothing happens.
    expect(
      await setJunk(t.env.ctx, {
        conversationId: spam.conversationId ?? -1,
        userId: t.team.bob.id,
        junk: false,
      }),
    ).toEqual({ seq: null, moved: 0 });

    // A conversation with a reply: the customer's mail goes to Junk, the reply stays in Sent.
    const asked = await askedAndAnswered("ask-1");
    const marked = await setJunk(t.env.ctx, {
      conversationId: asked.conversationId ?? -1,
      userId: t.team.alice.id,
      junk: true,
    });
    expect(marked.moved).toBe(1);
    expect(await foldersOf(asked.conversationId)).toEqual(["inbound:Junk", "outbound:Sent"]);
    expect(await listed()).not.toContain(asked.conversationId);
    expect(await listed(true)).toContain(asked.conversationId);

    expect(await junkActivity(asked.conversationId)).toMatchObject([
      { kind: "junk_changed", junk: true, moved: false, actor: { id: t.team.alice.id } },
    ]);
  });

  it("follows a mail client: moving mail out of Junk takes the conversation back, moving all of it in makes it junk", async () => {
    const spam = await deliver(t.env.ctx, t.team.info.id, mail({ subject: "IMAPで移動" }), {
      mailbox: "Junk",
    });
    const move = async (from: string, to: string, uid: number) => {
      const r = await copyMessages(t.env.ctx, {
        userId: t.team.alice.id,
        fromMailboxId: folder[from] ?? -1,
        toMailboxId: folder[to] ?? -1,
        uids: [uid],
        move: true,
      });
      expect(r.expunged).toEqual([uid]);
      return r.mapping[0]?.[1] ?? -1;
    };
    const inInbox = await move("Junk", "INBOX", spam.uid);
    expect((await conversation(spam.conversationId)).junk).toBe(false);
    const inJunk = await move("INBOX", "Junk", inInbox);
    expect((await conversation(spam.conversationId)).junk).toBe(true);
    // Thrown away from Junk into Trash: still junk, not back among 未対応.
    await move("Junk", "Trash", inJunk);
    expect((await conversation(spam.conversationId)).junk).toBe(true);
    expect(await junkActivity(spam.conversationId)).toMatchObject([
      { junk: false, moved: true, actor: { id: t.team.alice.id } },
      { junk: true, moved: true, actor: { id: t.team.alice.id } },
    ]);

    // A conversation with a reply outside Junk is not made junk by moving the customer's mail in.
    const asked = await askedAndAnswered("imap-1");
    await copyMessages(t.env.ctx, {
      userId: t.team.bob.id,
      fromMailboxId: folder.INBOX ?? -1,
      toMailboxId: folder.Junk ?? -1,
      uids: [asked.uid],
      move: true,
    });
    expect((await conversation(asked.conversationId)).junk).toBe(false);
  });

  it("lets only the inbox's members mark a conversation", async () => {
    const d = await deliver(t.env.ctx, t.team.info.id, mail({ subject: "権限" }));
    await expect(
      setJunk(t.env.ctx, { conversationId: d.conversationId ?? -1, userId: t.team.carol.id, junk: true }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await conversation(d.conversationId)).junk).toBe(false);
  });
});
