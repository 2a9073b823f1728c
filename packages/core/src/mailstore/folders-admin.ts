import { mailboxes, messages } from "@madoguchi/db/schema";
import { and, eq, like, or, sql } from "drizzle-orm";
import { assertInboxAccess } from "../authz";
import { recordChange } from "../changelog";
import type { CoreContext } from "../context";
import { lockInbox } from "../conversations/lock";
import { AppError } from "../errors";
import { STANDARD_MAILBOXES } from "../mailboxes";
import { conversationIdsOf, settleConversations } from "./expunge";
import { type MailboxInfo, mailboxForUser, openMailbox } from "./folders";

/** Separator of nested folder names ("Projects/2024"), the same for IMAP and the web app. */
export const FOLDER_DELIMITER = "/";
const MAX_FOLDER_NAME = 200;

function isStandard(name: string): boolean {
  return STANDARD_MAILBOXES.some((m) => m.name.toLowerCase() === name.toLowerCase());
}

/** A user folder name: non-empty segments, no control characters, not a standard folder's name. */
export function validateFolderName(name: string): string {
  const trimmed = name.normalize("NFC");
  const segments = trimmed.split(FOLDER_DELIMITER);
  if (
    !trimmed ||
    trimmed.length > MAX_FOLDER_NAME ||
    segments.some((s) => !s || s.trim() !== s) ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: protocol grammar excludes control characters
    /[\x00-\x1f\x7f*%]/.test(trimmed)
  ) {
    throw new AppError("INVALID_INPUT", `Invalid folder name "${name}"`);
  }
  if (isStandard(trimmed)) throw new AppError("CONFLICT", `${trimmed} already exists`);
  return trimmed;
}

async function assertFree(ctx: CoreContext, inboxId: number, name: string): Promise<void> {
  const [row] = await ctx.db
    .select({ id: mailboxes.id })
    .from(mailboxes)
    .where(and(eq(mailboxes.inboxId, inboxId), sql`lower(${mailboxes.name}) = lower(${name})`));
  if (row) throw new AppError("CONFLICT", `${name} already exists`);
}

/** UIDVALIDITY for a new folder: the clock in seconds, but always above every existing one. */
async function nextUidValidity(ctx: CoreContext): Promise<number> {
  const [row] = await ctx.db
    .select({ max: sql<number | null>`max(${mailboxes.uidValidity})::bigint` })
    .from(mailboxes);
  const max = row?.max === null || row?.max === undefined ? 0 : Number(row.max);
  return Math.max(Math.floor(Date.now() / 1000), max + 1);
}

/** IMAP CREATE: a user folder in an inbox the user works. */
export async function createFolder(
  ctx: CoreContext,
  input: { userId: number; inboxId: number; name: string },
): Promise<MailboxInfo> {
  await assertInboxAccess(ctx.db, input.userId, input.inboxId);
  const name = validateFolderName(input.name);
  await assertFree(ctx, input.inboxId, name);
  const uidValidity = await nextUidValidity(ctx);
  const [row] = await ctx.db
    .insert(mailboxes)
    .values({ inboxId: input.inboxId, name, specialUse: null, uidValidity })
    .onConflictDoNothing()
    .returning({ id: mailboxes.id });
  if (!row) throw new AppError("CONFLICT", `${name} already exists`);
  return openMailbox(ctx.db, input.userId, row.id);
}

/**
 * IMAP RENAME within one inbox; subfolders move along. Standard folders keep their names: the
 * web app and the other protocols find them by name. UIDVALIDITY is kept, since the folder
 * keeps its messages and UIDs.
 */
export async function renameFolder(
  ctx: CoreContext,
  input: { userId: number; mailboxId: number; newName: string },
): Promise<MailboxInfo> {
  const mailbox = await openMailbox(ctx.db, input.userId, input.mailboxId);
  if (mailbox.specialUse || isStandard(mailbox.name))
    throw new AppError("FORBIDDEN", `${mailbox.name} is a standard folder and cannot be renamed`);
  const newName = validateFolderName(input.newName);
  if (newName.toLowerCase() === mailbox.name.toLowerCase()) return mailbox;
  if (newName.toLowerCase().startsWith(`${mailbox.name.toLowerCase()}${FOLDER_DELIMITER}`))
    throw new AppError("INVALID_INPUT", "A folder cannot be moved into itself");
  await assertFree(ctx, mailbox.inboxId, newName);
  await ctx.db.transaction(async (tx) => {
    await lockInbox(tx, mailbox.inboxId);
    const prefix = `${mailbox.name}${FOLDER_DELIMITER}`;
    await tx
      .update(mailboxes)
      .set({
        name: sql`${newName} || substr(${mailboxes.name}, ${mailbox.name.length + 1})`,
      })
      .where(
        and(
          eq(mailboxes.inboxId, mailbox.inboxId),
          or(eq(mailboxes.id, mailbox.id), like(mailboxes.name, `${escapeLike(prefix)}%`)),
        ),
      );
  });
  return openMailbox(ctx.db, input.userId, input.mailboxId);
}

/**
 * IMAP DELETE: the folder and its messages. Standard folders stay; a folder with subfolders
 * must be emptied of them first (we have no \Noselect placeholders). The removal is one
 * change-log entry, so web clients and other IMAP sessions learn about it.
 */
export async function deleteFolder(
  ctx: CoreContext,
  input: { userId: number; mailboxId: number },
): Promise<void> {
  const mailbox = await mailboxForUser(ctx.db, input.userId, input.mailboxId);
  if (mailbox.specialUse || isStandard(mailbox.name))
    throw new AppError("FORBIDDEN", `${mailbox.name} is a standard folder and cannot be deleted`);
  await ctx.db.transaction(async (tx) => {
    await lockInbox(tx, mailbox.inboxId);
    const [child] = await tx
      .select({ id: mailboxes.id })
      .from(mailboxes)
      .where(
        and(
          eq(mailboxes.inboxId, mailbox.inboxId),
          like(mailboxes.name, `${escapeLike(`${mailbox.name}${FOLDER_DELIMITER}`)}%`),
        ),
      )
      .limit(1);
    if (child) throw new AppError("CONFLICT", `${mailbox.name} has subfolders; delete them first`);
    const removed = await tx
      .delete(messages)
      .where(eq(messages.mailboxId, mailbox.id))
      .returning({ uid: messages.uid, conversationId: messages.conversationId });
    await tx.delete(mailboxes).where(eq(mailboxes.id, mailbox.id));
    const conversationsRemoved = await settleConversations(tx, conversationIdsOf(removed));
    await recordChange(tx, {
      inboxId: mailbox.inboxId,
      kind: "message_expunged",
      mailboxId: mailbox.id,
      actorId: input.userId,
      data: {
        uids: removed.map((r) => r.uid).sort((a, b) => a - b),
        reason: "folder_deleted",
        ...(conversationsRemoved.length ? { conversationsRemoved } : {}),
      },
    });
  });
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
