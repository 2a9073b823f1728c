import { deliver } from "@madoguchi/core";
import type { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { type ImapTestEnv, imapflowClient, startImap } from "../../imap/test/helpers";
import { agent, startTestServer, type TestClient, type TestServer } from "./support";

// The web app's read state and IMAP \Seen are one per-user state: imapflow against the real
// IMAP server and the web API over HTTP, on one database.
const SHARED = "Shared/info@example.co.jp/INBOX";

describe.each(drivers)("web read state ↔ IMAP \\Seen (%s)", (driver) => {
  let t: ImapTestEnv;
  let server: TestServer;
  let web: TestClient;
  let webBob: TestClient;
  let imap: ImapFlow;
  let imapBob: ImapFlow;
  let conversationId = 0;
  const uids: number[] = [];

  beforeAll(async () => {
    t = await startImap(driver);
    const first = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "納期の確認", messageId: "q1@customer.example" }),
    );
    const second = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "Re: 納期の確認", inReplyTo: "q1@customer.example", body: "追記です。" }),
    );
    expect(second.conversationId).toBe(first.conversationId);
    conversationId = first.conversationId as number;
    uids.push(first.uid, second.uid);
    server = await startTestServer(t.env);
    web = await agent(server, "alice");
    webBob = await agent(server, "bob");
    imap = imapflowClient(t.tlsPort, "alice@example.co.jp", "correct horse 1");
    imapBob = imapflowClient(t.tlsPort, "bob@example.co.jp", "correct horse 2");
    await imap.connect();
    await imapBob.connect();
  }, 120_000);
  afterAll(async () => {
    await imap?.logout().catch(() => {});
    await imapBob?.logout().catch(() => {});
    await server?.close();
    await t?.close();
  });

  /** uid → has \Seen, for one IMAP user (PEEK: reading flags never sets them). */
  async function seenByUid(client: ImapFlow): Promise<Record<number, boolean>> {
    const lock = await client.getMailboxLock(SHARED);
    try {
      const out: Record<number, boolean> = {};
      for await (const m of client.fetch("1:*", { uid: true, flags: true }, { uid: true }))
        out[m.uid] = m.flags?.has("\\Seen") ?? false;
      return out;
    } finally {
      lock.release();
    }
  }
  const webUnread = async (client: TestClient) =>
    (await client.trpc.conversation.list.query({ inboxId: t.team.info.id })).rows.find(
      (r) => r.id === conversationId,
    )?.unread;
  const [u1, u2] = [() => uids[0] as number, () => uids[1] as number];

  it("reading in the web sets the reader's \\Seen, pushed to an idling client and to CONDSTORE", async () => {
    expect(await seenByUid(imap)).toEqual({ [u1()]: false, [u2()]: false });
    const lock = await imap.getMailboxLock(SHARED);
    let modseqBefore = 0n;
    try {
      modseqBefore = BigInt(imap.mailbox ? (imap.mailbox.highestModseq ?? 0n) : 0n);
      const flagged = new Set<number>();
      const onFlags = (e: { uid?: number; flags: Set<string> }) => {
        if (e.uid && e.flags.has("\\Seen")) flagged.add(e.uid);
      };
      imap.on("flags", onFlags);
      const idling = imap.idle();
      await new Promise((r) => setTimeout(r, 100));
      const view = await web.trpc.conversation.get.query({ conversationId });
      expect(view.unread).toBe(true);
      const r = await web.trpc.conversation.markRead.mutate({
        conversationId,
        seq: view.conversation.lastSeq,
      });
      expect(r.seenSeq).not.toBeNull();
      for (let i = 0; i < 200 && flagged.size < 2; i++) await new Promise((res) => setTimeout(res, 25));
      expect([...flagged].sort((a, b) => a - b)).toEqual([u1(), u2()]);
      imap.off("flags", onFlags);
      await imap.noop();
      await idling.catch(() => {});
      // CONDSTORE: both messages changed after the modseq the client had.
      const changed: number[] = [];
      for await (const m of imap.fetch(
        "1:*",
        { uid: true, flags: true },
        { uid: true, changedSince: modseqBefore },
      ))
        changed.push(m.uid);
      expect(changed.sort((a, b) => a - b)).toEqual([u1(), u2()]);
    } finally {
      lock.release();
    }
    expect(await webUnread(web)).toBe(false);
    // Per user: bob has read nothing, in IMAP or in the web.
    expect(await seenByUid(imapBob)).toEqual({ [u1()]: false, [u2()]: false });
    expect(await webUnread(webBob)).toBe(true);
  });

  it("mark unread in the web clears \\Seen, and a second one changes nothing", async () => {
    const r = await web.trpc.conversation.markRead.mutate({ conversationId, read: false });
    expect(r).toMatchObject({ readSeq: 0 });
    expect(await seenByUid(imap)).toEqual({ [u1()]: false, [u2()]: false });
    expect(await webUnread(web)).toBe(true);
    // A second "mark unread" changes nothing and writes no change row.
    expect((await web.trpc.conversation.markRead.mutate({ conversationId, read: false })).seenSeq).toBeNull();
  });

  it("\\Seen from IMAP marks the conversation read in the web once every message is seen", async () => {
    const lock = await imap.getMailboxLock(SHARED);
    try {
      await imap.messageFlagsAdd(String(u1()), ["\\Seen"], { uid: true });
      expect(await webUnread(web)).toBe(true);
      await imap.messageFlagsAdd(String(u2()), ["\\Seen"], { uid: true });
      expect(await webUnread(web)).toBe(false);
      expect((await web.trpc.conversation.get.query({ conversationId })).unread).toBe(false);
      // Clearing \Seen on one message makes the conversation unread again.
      await imap.messageFlagsRemove(String(u1()), ["\\Seen"], { uid: true });
      expect(await webUnread(web)).toBe(true);
      await imap.messageFlagsAdd(String(u1()), ["\\Seen"], { uid: true });
    } finally {
      lock.release();
    }
    expect(await seenByUid(imap)).toEqual({ [u1()]: true, [u2()]: true });
    expect(await webUnread(web)).toBe(false);
    expect(await webUnread(webBob)).toBe(true);
  });

  it("a new customer message is unread in both, and reading a stale view leaves it unseen", async () => {
    const view = await web.trpc.conversation.get.query({ conversationId });
    const third = await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "Re: 納期の確認", inReplyTo: "q1@customer.example", body: "至急お願いします。" }),
    );
    expect(third.conversationId).toBe(conversationId);
    expect(await webUnread(web)).toBe(true);
    // The screen still shows the view from before the new message: only what it showed is read.
    await web.trpc.conversation.markRead.mutate({ conversationId, seq: view.conversation.lastSeq });
    expect(await seenByUid(imap)).toEqual({ [u1()]: true, [u2()]: true, [third.uid]: false });
    expect(await webUnread(web)).toBe(true);
    await web.trpc.conversation.markRead.mutate({ conversationId });
    expect(await seenByUid(imap)).toEqual({ [u1()]: true, [u2()]: true, [third.uid]: true });
    expect(await webUnread(web)).toBe(false);
  });
});
