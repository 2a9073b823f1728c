import type { Queryable } from "@madoguchi/db/client";
import { messages } from "@madoguchi/db/schema";
import { and, desc, eq } from "drizzle-orm";
import { aliasesOf } from "../directory/aliases";
import { findInboxByAddress, type Inbox } from "../directory/inboxes";
import { AppError } from "../errors";

/** Who a web send goes out from: the From header (name, address) and the envelope's MAIL FROM. */
export interface Sender {
  name: string;
  address: string;
}

/** The inbox under its main address: what a forward and a new message (新規作成) go out from. */
export const inboxSender = (inbox: Inbox): Sender => ({ name: inbox.name, address: inbox.address });

/**
 * Who a reply goes out from (as in Front): the inbox address or alias the customer wrote to in
 * the conversation's newest inbound message, so the answer comes from the address they know and
 * their next mail goes back to it. Always under the inbox's name.
 */
export async function replySender(db: Queryable, inbox: Inbox, conversationId: number): Promise<Sender> {
  const [last] = await db
    .select({ to: messages.to, cc: messages.cc })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, "inbound")))
    .orderBy(desc(messages.internalDate), desc(messages.id))
    .limit(1);
  if (!last) return inboxSender(inbox);
  const written = [...last.to, ...last.cc].map((a) => a.address);
  // Written to the main address (the common case): no alias lookup needed.
  const toMain = written.some((a) => a.toLowerCase() === inbox.address.toLowerCase());
  const aliases = toMain ? [] : await aliasesOf(db, inbox.id);
  return { name: inbox.name, address: addressWrittenTo(inbox.address, aliases, written) };
}

/**
 * Of an inbox's addresses, the one a message was written to: the main address if it is among the
 * recipients, else the first alias among them (To before Cc), else (Bcc, a mailing list) the
 * main address. Compared without case, as addresses are matched everywhere else.
 */
export function addressWrittenTo(
  main: string,
  aliases: readonly string[],
  recipients: readonly string[],
): string {
  const written = recipients.map((r) => r.toLowerCase());
  if (written.includes(main.toLowerCase())) return main;
  const byLower = new Map(aliases.map((a) => [a.toLowerCase(), a]));
  for (const r of written) {
    const alias = byLower.get(r);
    if (alias) return alias;
  }
  return main;
}

/**
 * A web send leaves only from its own inbox: the main address or one of its aliases (the
 * caller passes the address it built the From header with; a bug there must not send as
 * another team's address).
 */
export async function assertInboxAddress(db: Queryable, inboxId: number, address: string): Promise<void> {
  const owner = await findInboxByAddress(db, address);
  if (owner?.id !== inboxId)
    throw new AppError("FORBIDDEN", `${address} is not an address of this inbox`, { address });
}
