import { listConversations, postComment } from "@madoguchi/core";
import type { ImapFlow } from "imapflow";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { deliverExchange } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { type ImapTestEnv, imapflowClient, startImap } from "./helpers";

const SHARED = "Shared/info@example.co.jp";

/**
 * Mail deleted from a mail client (Thunderbird: \Deleted + EXPUNGE, or a move out of the shared
 * inbox) is what the web app's lists show next: the conversation's count drops, and a
 * conversation left empty leaves the list unless a teammate's comment keeps it.
 */
describe.each(drivers)("expunged mail and the web app's conversations (%s)", (driver) => {
  let t: ImapTestEnv;
  let client: ImapFlow;

  beforeAll(async () => {
    t = await startImap(driver);
  }, 60_000);
  afterAll(async () => t?.close());
  afterEach(async () => {
    await client?.logout().catch(() => {});
  });

  async function connect(): Promise<ImapFlow> {
    client = imapflowClient(t.tlsPort);
    await client.connect();
    return client;
  }

  /** The shared inbox's list as the web app gets it: subject → message count. */
  async function listed(): Promise<Map<string, number>> {
    const page = await listConversations(t.env.ctx, t.team.alice.id, { inboxId: t.team.info.id, limit: 100 });
    return new Map(page.rows.map((c) => [c.subject, c.messageCount]));
  }

  /** A customer's mail and the customer's follow-up, threaded into one conversation. */
  async function thread(subject: string, id: string) {
    const { first, second } = await deliverExchange(t.env.ctx, t.team.info.id, subject, id);
    expect(second.conversationId).toBe(first.conversationId);
    return { first, second, conversationId: first.conversationId ?? 0 };
  }

  it("lowers the count when one mail of a conversation is deleted, and drops the conversation with its last", async () => {
    const kept = await thread("見積もりの件", "quote");
    const gone = await thread("迷惑メール", "spam");
    expect((await listed()).get("見積もりの件")).toBe(2);
    const imap = await connect();
    const lock = await imap.getMailboxLock(`${SHARED}/INBOX`);
    try {
      expect(await imap.messageDelete(String(kept.first.uid), { uid: true })).toBe(true);
      expect(await imap.messageDelete(`${gone.first.uid},${gone.second.uid}`, { uid: true })).toBe(true);
    } finally {
      lock.release();
    }
    const after = await listed();
    expect(after.get("見積もりの件")).toBe(1);
    expect(after.has("迷惑メール")).toBe(false);
  });

  it("keeps an emptied conversation that holds a teammate's comment, with a count of 0", async () => {
    const talked = await thread("返品について", "return");
    await postComment(t.env.ctx, {
      conversationId: talked.conversationId,
      userId: t.team.bob.id,
      body: "この件は先方に電話済みです",
    });
    const imap = await connect();
    const lock = await imap.getMailboxLock(`${SHARED}/INBOX`);
    try {
      await imap.messageDelete(`${talked.first.uid},${talked.second.uid}`, { uid: true });
    } finally {
      lock.release();
    }
    expect((await listed()).get("返品について")).toBe(0);
  });

  it("keeps the count when mail moves to another folder, and drops a conversation whose mail moved to another inbox", async () => {
    const archived = await thread("請求書の再発行", "invoice");
    const personal = await thread("個人宛の連絡", "personal");
    const imap = await connect();
    const lock = await imap.getMailboxLock(`${SHARED}/INBOX`);
    try {
      await imap.messageMove(`${archived.first.uid},${archived.second.uid}`, `${SHARED}/Archive`, {
        uid: true,
      });
      await imap.messageMove(`${personal.first.uid},${personal.second.uid}`, "INBOX", { uid: true });
    } finally {
      lock.release();
    }
    const after = await listed();
    expect(after.get("請求書の再発行")).toBe(2);
    expect(after.has("個人宛の連絡")).toBe(false);
  });
});
