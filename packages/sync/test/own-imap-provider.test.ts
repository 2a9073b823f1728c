import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deliver, findInboxByAddress, markConversationRead, updateConnector } from "@madoguchi/core";
import { messages, messageUserState } from "@madoguchi/db/schema";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { type ImapTestEnv, startImap } from "../../imap/test/helpers";
import { addConnectorAccount } from "../src/accounts";
import { sealSecret } from "../src/secret-box";
import { type ConnectorWorkers, startConnectorWorkers } from "../src/workers";
import {
  accountState,
  conversationsOf,
  messagesOf,
  plainMail,
  secretKey,
  testConfig,
  waitFor,
} from "./setup";

const here = path.dirname(fileURLToPath(import.meta.url));
const jisRaw = fs.readFileSync(path.join(here, "../../mail/test/fixtures/iso2022jp-labelled.eml"));
const jisExpected = JSON.parse(
  fs.readFileSync(path.join(here, "../../mail/test/fixtures/iso2022jp-labelled.json"), "utf8"),
) as { subject: string; messageId: string };

/**
 * Madoguchi's own IMAP server as "the other provider": a second instance with its own database
 * serves alice's personal INBOX on 127.0.0.1; the first instance's connector imports from it.
 */
describe.each(drivers)("connector importing from Madoguchi's own IMAP server on %s", (driver) => {
  let provider: ImapTestEnv;
  let providerInboxId: number;
  let env: TestEnv;
  let team: Team;
  let workers: ConnectorWorkers | undefined;
  let accountId: number;
  const arriveAtProvider = (raw: Buffer) => deliver(provider.env.ctx, providerInboxId, raw);

  beforeAll(async () => {
    [provider, env] = await Promise.all([startImap(driver), createTestEnv(driver)]);
    team = await createTeam(env.ctx);
    const inbox = await findInboxByAddress(provider.env.ctx.db, provider.team.alice.email);
    if (!inbox) throw new Error("the provider's user has no personal inbox");
    providerInboxId = inbox.id;
    await arriveAtProvider(jisRaw);
    for (let n = 1; n <= 5; n++) await arriveAtProvider(plainMail(n));
    ({ id: accountId } = await addConnectorAccount(env.ctx, secretKey, team.info.address, {
      imapHost: "127.0.0.1",
      imapPort: provider.port,
      imapTls: "none",
      imapUser: provider.team.alice.email,
      imapPassword: "correct horse 1",
      folders: ["INBOX"],
    }));
  });
  afterAll(async () => {
    await workers?.close();
    await provider?.close();
    await env?.close();
  });

  it("imports the INBOX once, ISO-2022-JP intact, leaving the provider's read state alone", async () => {
    workers = startConnectorWorkers({ ctx: env.ctx, config: testConfig() });
    const rows = await waitFor(
      async () => {
        const r = await messagesOf(env.ctx, team.info.id);
        const s = await accountState(env.ctx, team.info.address);
        return r.length >= 6 && s.folderStates[0]?.importFinishedAt && s.lastSuccessAt ? r : null;
      },
      20_000,
      "the initial import",
    );
    expect(rows).toHaveLength(6);
    const jis = rows.find((r) => r.messageIdHeader === jisExpected.messageId);
    expect(jis?.subject).toBe(jisExpected.subject);
    expect(jis?.bodyText).toContain("見積");
    const state = await accountState(env.ctx, team.info.address);
    expect(state.lastError).toBeNull();
    expect(state.folderStates[0]).toMatchObject({ remoteName: "INBOX", lastUid: 6, importDone: 6 });
    // Read-only at the provider: nobody's \Seen was set there by the import.
    expect(await provider.env.ctx.db.select().from(messageUserState)).toEqual([]);
  });

  it("takes new mail at the provider within 2 s (its IDLE, not the poll)", async () => {
    for (let n = 10; n < 13; n++) {
      await arriveAtProvider(plainMail(n, { subject: `新着 ${n}` }));
      await waitFor(
        async () => (await conversationsOf(env.ctx, team.info.id)).some((c) => c.subject === `新着 ${n}`),
        2_000,
        `conversation for mail ${n}`,
      );
    }
    expect(await messagesOf(env.ctx, team.info.id)).toHaveLength(9);
  });

  it("with mirroring on, sets \\Seen at the provider for mail read here (seen there by its user)", async () => {
    await updateConnector(env.ctx, accountId, { mirrorSeen: true }, (s) => sealSecret(secretKey, s));
    const [read] = await env.ctx.db
      .select()
      .from(messages)
      .where(eq(messages.messageIdHeader, "m3.inbox@customer.example"));
    await markConversationRead(env.ctx, {
      userId: team.bob.id,
      conversationId: read?.conversationId as number,
    });
    const seen = await waitFor(
      async () => {
        const rows = await provider.env.ctx.db
          .select({ header: messages.messageIdHeader })
          .from(messageUserState)
          .innerJoin(messages, eq(messages.id, messageUserState.messageId))
          .where(and(eq(messageUserState.userId, provider.team.alice.id), eq(messageUserState.seen, true)));
        return rows.length ? rows : null;
      },
      5_000,
      "\\Seen at the provider",
    );
    expect(seen.map((r) => r.header)).toEqual(["m3.inbox@customer.example"]);
  });
});
