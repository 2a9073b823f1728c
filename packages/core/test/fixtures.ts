import type { DriverName } from "@madoguchi/db/client";
import { conversations } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll } from "vitest";
import type { CoreContext } from "../src/context";
import { deliver } from "../src/deliver/deliver";
import { addDomain } from "../src/directory/domains";
import { addSharedInbox, type Inbox } from "../src/directory/inboxes";
import { addUser, type PublicUser } from "../src/directory/users";
import { createTestEnv, type TestEnv } from "./harness";

export interface Team {
  alice: PublicUser;
  bob: PublicUser;
  carol: PublicUser;
  /** info@example.co.jp with alice and bob (carol is not a member). */
  info: Inbox;
}

export async function createTeam(ctx: CoreContext): Promise<Team> {
  await addDomain(ctx, "example.co.jp");
  const alice = await addUser(ctx, {
    email: "alice@example.co.jp",
    name: "佐藤 愛",
    password: "correct horse 1",
  });
  const bob = await addUser(ctx, {
    email: "bob@example.co.jp",
    name: "鈴木 文",
    password: "correct horse 2",
  });
  const carol = await addUser(ctx, {
    email: "carol@example.co.jp",
    name: "Carol",
    password: "correct horse 3",
  });
  const info = await addSharedInbox(ctx, {
    address: "info@example.co.jp",
    name: "お問い合わせ",
    memberEmails: ["alice@example.co.jp", "bob@example.co.jp"],
  });
  return { alice, bob, carol, info };
}

/** The administrator 管理者 <kanri@example.co.jp> (password "correct horse 9"), with their own inbox. */
export function addAdmin(ctx: CoreContext): Promise<PublicUser> {
  return addUser(ctx, {
    email: "kanri@example.co.jp",
    name: "管理者",
    password: "correct horse 9",
    isAdmin: true,
  });
}

export interface MailSpec {
  from?: string;
  to?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string;
  date?: string;
  body?: string;
  /** More header lines, as written ("List-Id: <news.example>"). */
  headers?: string[];
}

/** A plain UTF-8 RFC 5322 message; subject and body may be Japanese. */
export function mail(spec: MailSpec = {}): Buffer {
  const subject = spec.subject ?? "お問い合わせ";
  const lines = [
    `From: ${spec.from ?? "山田 太郎 <taro@customer.example>"}`,
    `To: ${spec.to ?? "info@example.co.jp"}`,
    `Subject: =?UTF-8?B?${Buffer.from(subject).toString("base64")}?=`,
    `Date: ${spec.date ?? "Fri, 27 Nov 2026 10:00:00 +0900"}`,
  ];
  if (spec.messageId !== null)
    lines.push(
      `Message-ID: <${spec.messageId ?? `${Math.random().toString(36).slice(2)}@customer.example`}>`,
    );
  if (spec.inReplyTo) lines.push(`In-Reply-To: <${spec.inReplyTo}>`);
  if (spec.references) lines.push(`References: ${spec.references}`);
  lines.push(...(spec.headers ?? []));
  lines.push(
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 8bit",
    "",
  );
  lines.push(spec.body ?? "請求書の件でご連絡いたしました。\r\nよろしくお願いいたします。");
  return Buffer.from(`${lines.join("\r\n")}\r\n`);
}

/**
 * A customer's mail `<key>-1@customer.example` and their follow-up `<key>-2` (In-Reply-To the
 * first, "Re:" subject), delivered to an inbox one after the other.
 */
export async function deliverExchange(ctx: CoreContext, inboxId: number, subject: string, key: string) {
  const first = await deliver(ctx, inboxId, mail({ subject, messageId: `${key}-1@customer.example` }));
  const second = await deliver(
    ctx,
    inboxId,
    mail({
      subject: `Re: ${subject}`,
      messageId: `${key}-2@customer.example`,
      inReplyTo: `${key}-1@customer.example`,
    }),
  );
  return { first, second };
}

/** A fresh database with the standard team for one describe block, closed after it. */
export function useTeamEnv(
  driver: DriverName,
  opts: { pgliteDir?: boolean } = {},
): { env: TestEnv; team: Team } {
  const state = {} as { env: TestEnv; team: Team };
  beforeAll(async () => {
    state.env = await createTestEnv(driver, opts);
    state.team = await createTeam(state.env.ctx);
  });
  afterAll(() => state.env?.close());
  return state;
}

/** A customer's mail `<key>@customer.example` 「件名 key」 to an inbox: the conversation it starts. */
export async function customerConversation(ctx: CoreContext, inboxId: number, key: string): Promise<number> {
  const delivered = await deliver(
    ctx,
    inboxId,
    mail({ messageId: `${key}@customer.example`, subject: `件名 ${key}` }),
  );
  if (delivered.conversationId === null) throw new Error("no conversation");
  return delivered.conversationId;
}

/** A conversation's row as stored. */
export async function conversationRow(ctx: CoreContext, id: number) {
  const [row] = await ctx.db.select().from(conversations).where(eq(conversations.id, id));
  if (!row) throw new Error(`no conversation ${id}`);
  return row;
}
