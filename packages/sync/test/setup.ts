import { randomBytes } from "node:crypto";
import { type CoreContext, listConnectors } from "@madoguchi/core";
import { conversations, messages } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { addConnectorAccount, type ConnectorAccountInput } from "../src/accounts";
import type { ConnectorConfig } from "../src/config";
import type { Dovecot } from "./dovecot";

export const secretKey = randomBytes(32);

/** Short times so the tests see reconnects and polls; IDLE arrival does not depend on them. */
export function testConfig(partial: Partial<ConnectorConfig> = {}): ConnectorConfig {
  return {
    secretKey,
    batchSize: 25,
    pollMs: 600_000,
    seenPollMs: 200,
    maxIdleMs: 25 * 60_000,
    backoffMinMs: 200,
    backoffMaxMs: 1_000,
    leaseMs: 10_000,
    scanMs: 500,
    connectTimeoutMs: 3_000,
    ...partial,
  };
}

export function connectDovecot(
  ctx: CoreContext,
  dovecot: Dovecot,
  inboxAddress: string,
  extra: Partial<ConnectorAccountInput> = {},
) {
  return addConnectorAccount(ctx, secretKey, inboxAddress, {
    imapHost: dovecot.host,
    imapPort: dovecot.port,
    imapTls: "none",
    imapUser: dovecot.user,
    imapPassword: dovecot.password,
    folders: ["INBOX", "Sent"],
    ...extra,
  });
}

/** Polls `probe` every 25 ms until it returns a truthy value, at most `ms`. */
export async function waitFor<T>(probe: () => Promise<T>, ms: number, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  for (let i = 0; i < 100_000 && Date.now() < deadline; i++) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export async function messagesOf(ctx: CoreContext, inboxId: number) {
  return ctx.db.select().from(messages).where(eq(messages.inboxId, inboxId));
}

export async function conversationsOf(ctx: CoreContext, inboxId: number) {
  return ctx.db.select().from(conversations).where(eq(conversations.inboxId, inboxId));
}

export async function accountState(ctx: CoreContext, inboxAddress: string) {
  const all = await listConnectors(ctx.db);
  const found = all.find((a) => a.inboxAddress === inboxAddress);
  if (!found) throw new Error(`no connector for ${inboxAddress}`);
  return found;
}

export function plainMail(
  n: number,
  opts: { folder?: string; from?: string; subject?: string } = {},
): Buffer {
  return Buffer.from(
    [
      `From: ${opts.from ?? `Customer ${n} <c${n}@customer.example>`}`,
      "To: info@provider.test",
      `Subject: =?UTF-8?B?${Buffer.from(opts.subject ?? `お問い合わせ ${n}`).toString("base64")}?=`,
      "Date: Fri, 27 Nov 2026 10:00:00 +0900",
      `Message-ID: <m${n}.${opts.folder ?? "inbox"}@customer.example>`,
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      `本文 ${n}`,
      "",
    ].join("\r\n"),
  );
}
