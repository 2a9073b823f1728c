import type { Queryable, Tx } from "@madoguchi/db/client";
import { mailboxes, type SpecialUse } from "@madoguchi/db/schema";
import { and, eq, sql } from "drizzle-orm";
import { AppError } from "./errors";

/** The folders every inbox (shared or personal) has, with their RFC 6154 special use. */
export const STANDARD_MAILBOXES: ReadonlyArray<{ name: string; specialUse: SpecialUse }> = [
  { name: "INBOX", specialUse: "\\Inbox" },
  { name: "Sent", specialUse: "\\Sent" },
  { name: "Drafts", specialUse: "\\Drafts" },
  { name: "Trash", specialUse: "\\Trash" },
  { name: "Archive", specialUse: "\\Archive" },
  { name: "Junk", specialUse: "\\Junk" },
];

/** UIDVALIDITY: seconds since the epoch at creation, as Dovecot does, so a recreated folder differs. */
function newUidValidity(): number {
  return Math.floor(Date.now() / 1000);
}

export async function createStandardMailboxes(tx: Tx, inboxId: number): Promise<void> {
  const uidValidity = newUidValidity();
  await tx
    .insert(mailboxes)
    .values(
      STANDARD_MAILBOXES.map((m) => ({ inboxId, name: m.name, specialUse: m.specialUse, uidValidity })),
    );
}

export type Mailbox = typeof mailboxes.$inferSelect;

export async function findMailbox(db: Queryable, inboxId: number, name: string): Promise<Mailbox> {
  const [row] = await db
    .select()
    .from(mailboxes)
    .where(and(eq(mailboxes.inboxId, inboxId), eq(mailboxes.name, name)));
  if (!row) throw new AppError("NOT_FOUND", `Mailbox ${name} of inbox ${inboxId} does not exist`);
  return row;
}

/** Takes the next UID of a mailbox and records the modseq it now reaches. */
export async function allocateUid(tx: Tx, mailboxId: number, modseq: number): Promise<number> {
  const [row] = await tx
    .update(mailboxes)
    .set({ uidNext: sql`${mailboxes.uidNext} + 1`, highestModseq: modseq })
    .where(eq(mailboxes.id, mailboxId))
    .returning({ uidNext: mailboxes.uidNext });
  if (!row) throw new AppError("NOT_FOUND", `Mailbox ${mailboxId} does not exist`);
  return row.uidNext - 1;
}
