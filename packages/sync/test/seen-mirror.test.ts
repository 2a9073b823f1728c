import {
  CHANGES_CHANNEL,
  ChangeFeed,
  type CoreContext,
  markConversationRead,
  storeFlags,
  updateConnector,
} from "@madoguchi/core";
import { connectorRemoteCopies, messages } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { sealSecret } from "../src/secret-box";
import { type ConnectorWorkers, startConnectorWorkers } from "../src/workers";
import { type Dovecot, startDovecot } from "./dovecot";
import { accountState, connectDovecot, plainMail, secretKey, testConfig, waitFor } from "./setup";

/** Flags at the provider, per folder and Message-ID (\Recent is the server's own, left out). */
async function remoteFlags(dovecot: Dovecot): Promise<Record<string, string[]>> {
  const client = await dovecot.client();
  const out: Record<string, string[]> = {};
  try {
    for (const folder of ["INBOX", "Support"]) {
      const lock = await client.getMailboxLock(folder, { readOnly: true });
      try {
        for (const m of await client.fetchAll(
          "1:*",
          { uid: true, flags: true, envelope: true },
          { uid: true },
        ))
          out[`${folder} ${m.envelope?.messageId}`] = [...(m.flags ?? [])]
            .filter((f) => f !== "\\Recent")
            .sort();
      } finally {
        lock.release();
      }
    }
  } finally {
    await client.logout();
  }
  return out;
}

const seenAt = (flags: Record<string, string[]>) =>
  Object.entries(flags)
    .filter(([, f]) => f.includes("\\Seen"))
    .map(([k]) => k)
    .sort();

async function messageByHeader(ctx: CoreContext, header: string) {
  const [row] = await ctx.db.select().from(messages).where(eq(messages.messageIdHeader, header));
  if (!row) throw new Error(`no message ${header}`);
  return row;
}

describe.each(drivers)("\\Seen mirroring to Dovecot on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let dovecot: Dovecot;
  let feed: ChangeFeed;
  let workers: ConnectorWorkers | undefined;
  let accountId: number;
  let before: Record<string, string[]>;
  const m = (n: number) => `<m${n}.inbox@customer.example>`;
  const readInWeb = async (userId: number, n: number) => {
    const msg = await messageByHeader(env.ctx, `m${n}.inbox@customer.example`);
    await markConversationRead(env.ctx, { userId, conversationId: msg.conversationId as number });
  };
  const seenOverImap = async (userId: number, n: number) => {
    const msg = await messageByHeader(env.ctx, `m${n}.inbox@customer.example`);
    await storeFlags(env.ctx, {
      userId,
      mailboxId: msg.mailboxId,
      uids: [msg.uid],
      mode: "add",
      flags: ["\\Seen"],
    });
  };
  const start = (seenPollMs: number) => {
    workers = startConnectorWorkers({ ctx: env.ctx, feed, config: testConfig({ seenPollMs }) });
  };

  beforeAll(async () => {
    [env, dovecot] = await Promise.all([createTestEnv(driver), startDovecot()]);
    team = await createTeam(env.ctx);
    feed = new ChangeFeed(env.listen);
    await feed.start(CHANGES_CHANNEL);
    const client = await dovecot.client();
    await client.mailboxCreate("Support");
    for (let n = 1; n <= 4; n++)
      await client.append("INBOX", plainMail(n, { subject: `問い合わせ ${n}` }), ["\\Flagged"]);
    await client.append("INBOX", plainMail(5), ["\\Seen"]);
    await client.append("INBOX", plainMail(6, { subject: "問い合わせ 6" }));
    // The same mail in a second folder: stored once here, both remote copies get \Seen.
    await client.append("Support", plainMail(1, { subject: "問い合わせ 1" }));
    await client.logout();
    before = await remoteFlags(dovecot);
    accountId = (await connectDovecot(env.ctx, dovecot, team.info.address, { folders: ["INBOX", "Support"] }))
      .id;
  });
  afterAll(async () => {
    await workers?.close();
    await feed?.close();
    await dovecot?.stop();
    await env?.close();
  });

  it("with mirroring off (the default) never changes the provider, whatever the team reads", async () => {
    start(100);
    await waitFor(
      async () => {
        const copies = await env.ctx.db
          .select()
          .from(connectorRemoteCopies)
          .where(eq(connectorRemoteCopies.accountId, accountId));
        return copies.length === 7 ? copies : null;
      },
      20_000,
      "the import with its remote copies",
    );
    expect((await accountState(env.ctx, team.info.address)).mirrorSeen).toBe(false);
    await readInWeb(team.alice.id, 1);
    await seenOverImap(team.bob.id, 2);
    // Many mirror turns (every 100 ms, and at once on the IMAP change) pass without a write.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await remoteFlags(dovecot)).toEqual(before);
  });

  it("once switched on, marks \\Seen on every remote copy of what anyone read, nothing else", async () => {
    await updateConnector(env.ctx, accountId, { mirrorSeen: true }, (s) => sealSecret(secretKey, s));
    const after = await waitFor(
      async () => {
        const flags = await remoteFlags(dovecot);
        return seenAt(flags).length === 4 ? flags : null;
      },
      5_000,
      "\\Seen on m1 (both folders) and m2",
    );
    expect(seenAt(after)).toEqual([`INBOX ${m(1)}`, `INBOX ${m(2)}`, `INBOX ${m(5)}`, `Support ${m(1)}`]);
    // Only \Seen was added: \Flagged and everything else stays as it was.
    for (const [key, flags] of Object.entries(before))
      expect(after[key]?.filter((f) => f !== "\\Seen")).toEqual(flags.filter((f) => f !== "\\Seen"));
  });

  it("mirrors a read, over IMAP or in the web app, at once through the change feed (no poll)", async () => {
    await workers?.close();
    start(600_000);
    await waitFor(async () => (await accountState(env.ctx, team.info.address)).lastSuccessAt, 5_000, "sync");
    await seenOverImap(team.alice.id, 3);
    await readInWeb(team.bob.id, 6);
    await waitFor(
      async () => {
        const seen = seenAt(await remoteFlags(dovecot));
        return seen.includes(`INBOX ${m(3)}`) && seen.includes(`INBOX ${m(6)}`);
      },
      5_000,
      "\\Seen on m3 and m6",
    );
  });

  it("catches up after a restart with what was read while it was down; unread here stays read there", async () => {
    await workers?.close();
    workers = undefined;
    await readInWeb(team.bob.id, 4);
    await markConversationRead(env.ctx, {
      userId: team.alice.id,
      conversationId: (await messageByHeader(env.ctx, "m1.inbox@customer.example")).conversationId as number,
      read: false,
    });
    start(600_000);
    const flags = await waitFor(
      async () => {
        const f = await remoteFlags(dovecot);
        return seenAt(f).includes(`INBOX ${m(4)}`) ? f : null;
      },
      5_000,
      "\\Seen on m4",
    );
    // Marking unread here is a personal reminder: it never takes \Seen away at the provider.
    expect(seenAt(flags)).toContain(`INBOX ${m(1)}`);
    expect(seenAt(flags)).toHaveLength(7);
  });
});
