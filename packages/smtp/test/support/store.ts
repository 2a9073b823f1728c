import type { CoreContext } from "@madoguchi/core";
import { mailboxes, messages } from "@madoguchi/db/schema";
import { and, asc, eq } from "drizzle-orm";

export type StoredMessage = typeof messages.$inferSelect & { raw: string };

/** Messages of one folder of an inbox, oldest first, with their raw text. */
export async function storedIn(
  ctx: CoreContext,
  inboxId: number,
  mailbox = "INBOX",
): Promise<StoredMessage[]> {
  const rows = await ctx.db
    .select({ message: messages })
    .from(messages)
    .innerJoin(mailboxes, eq(mailboxes.id, messages.mailboxId))
    .where(and(eq(messages.inboxId, inboxId), eq(mailboxes.name, mailbox)))
    .orderBy(asc(messages.id));
  return Promise.all(
    rows.map(async ({ message }) => ({
      ...message,
      raw: (await ctx.blobs.get(message.blobHash)).toString("utf8"),
    })),
  );
}

/** The stored message with this Message-ID (bare), in any folder of the inbox. */
export async function findStored(
  ctx: CoreContext,
  inboxId: number,
  messageId: string,
  mailbox = "INBOX",
): Promise<StoredMessage | undefined> {
  return (await storedIn(ctx, inboxId, mailbox)).find((m) => m.messageIdHeader === messageId);
}

/** Polls `check` every 20 ms until it returns a value, bounded by `ms`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  ms = 10_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
