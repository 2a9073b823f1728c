import type { Tx } from "@madoguchi/db/client";
import { draftAttachments, drafts } from "@madoguchi/db/schema";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";
import { getConversation } from "../conversations/lock";
import { AppError } from "../errors";

/** One file: most mail servers on the way refuse messages much above 20–25 MB after base64. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** All files of one draft together. */
export const MAX_DRAFT_ATTACHMENT_BYTES = 15 * 1024 * 1024;
export const MAX_DRAFT_ATTACHMENTS = 20;

export interface DraftAttachmentView {
  id: number;
  filename: string;
  contentType: string;
  size: number;
}

export interface DraftFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

const TYPE_RE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

/** A name safe to put in a MIME header and on a disk: no paths, no control characters. */
export function cleanFilename(name: string): string {
  const base =
    name
      .replace(/[\p{Cc}]/gu, "")
      .split(/[\\/]/)
      .pop()
      ?.trim() ?? "";
  if (!base) throw new AppError("INVALID_INPUT", "An attachment needs a file name", { field: "filename" });
  if (base.length > 255)
    throw new AppError("INVALID_INPUT", "The file name is too long", { field: "filename" });
  return base;
}

const view = (r: typeof draftAttachments.$inferSelect): DraftAttachmentView => ({
  id: r.id,
  filename: r.filename,
  contentType: r.contentType,
  size: r.size,
});

/** The same key as saveDraft's, so an upload and an autosave never create two editing drafts. */
const lockDraft = (tx: Tx, conversationId: number, userId: number) =>
  tx.execute(sql`select pg_advisory_xact_lock(${conversationId % 2_147_483_647}::int, ${userId}::int)`);

const editingOf = (conversationId: number, userId: number) =>
  and(eq(drafts.conversationId, conversationId), eq(drafts.authorId, userId), eq(drafts.state, "editing"));

/**
 * Adds an uploaded file to the author's editing draft on the conversation (creating an empty
 * draft when they have none yet: a file can come before any text). The bytes go to the blob
 * store first; the row only when every limit holds, so a refused upload leaves nothing.
 */
export async function addDraftAttachment(
  ctx: CoreContext,
  input: { userId: number; conversationId: number; filename: string; contentType: string; content: Buffer },
): Promise<DraftAttachmentView> {
  await getConversation(ctx, input.conversationId, input.userId);
  const file = await storeFile(ctx, input);
  const now = nowOf(ctx);
  return ctx.db.transaction(async (tx) => {
    await lockDraft(tx, input.conversationId, input.userId);
    const [existing] = await tx
      .select({ id: drafts.id })
      .from(drafts)
      .where(editingOf(input.conversationId, input.userId));
    const draftId =
      existing?.id ??
      (
        await tx
          .insert(drafts)
          .values({
            conversationId: input.conversationId,
            authorId: input.userId,
            content: {},
            state: "editing",
            createdAt: now,
            updatedAt: now,
          })
          .returning({ id: drafts.id })
      )[0]?.id;
    if (draftId === undefined) throw new Error("draft insert returned nothing");
    return addToDraft(tx, draftId, file, now);
  });
}

/** The same for a new message's draft (新規作成), which the author must own. */
export async function addNewDraftAttachment(
  ctx: CoreContext,
  input: { userId: number; draftId: number; filename: string; contentType: string; content: Buffer },
): Promise<DraftAttachmentView> {
  await ownNewDraft(ctx, input.userId, input.draftId);
  const file = await storeFile(ctx, input);
  return ctx.db.transaction(async (tx) => {
    await tx.select({ id: drafts.id }).from(drafts).where(eq(drafts.id, input.draftId)).for("update");
    return addToDraft(tx, input.draftId, file, nowOf(ctx));
  });
}

/** A new-message draft of this user (editing, no conversation yet), or NOT_FOUND. */
export async function ownNewDraft(ctx: CoreContext, userId: number, draftId: number) {
  const [d] = await ctx.db
    .select()
    .from(drafts)
    .where(
      and(
        eq(drafts.id, draftId),
        eq(drafts.authorId, userId),
        isNull(drafts.conversationId),
        eq(drafts.state, "editing"),
      ),
    );
  if (!d) throw new AppError("NOT_FOUND", "No such draft of yours");
  return d;
}

interface StoredFile {
  filename: string;
  contentType: string;
  hash: string;
  size: number;
}

async function storeFile(
  ctx: CoreContext,
  input: { filename: string; contentType: string; content: Buffer },
): Promise<StoredFile> {
  const filename = cleanFilename(input.filename);
  const contentType = TYPE_RE.test(input.contentType)
    ? input.contentType.toLowerCase()
    : "application/octet-stream";
  if (input.content.length > MAX_ATTACHMENT_BYTES) throw tooLarge();
  if (input.content.length === 0) throw new AppError("INVALID_INPUT", "The file is empty");
  const blob = await ctx.blobs.put(input.content);
  return { filename, contentType, ...blob };
}

/** The row, once the draft's count and total size allow it (the caller holds the draft's lock). */
async function addToDraft(
  tx: Tx,
  draftId: number,
  file: StoredFile,
  now: Date,
): Promise<DraftAttachmentView> {
  const [sum] = await tx
    .select({
      n: sql<number>`count(*)::int`,
      bytes: sql<number>`coalesce(sum(${draftAttachments.size}), 0)::int`,
    })
    .from(draftAttachments)
    .where(eq(draftAttachments.draftId, draftId));
  if ((sum?.n ?? 0) >= MAX_DRAFT_ATTACHMENTS)
    throw new AppError("INVALID_INPUT", `At most ${MAX_DRAFT_ATTACHMENTS} files can be attached`);
  if ((sum?.bytes ?? 0) + file.size > MAX_DRAFT_ATTACHMENT_BYTES)
    throw new AppError(
      "INVALID_INPUT",
      `The attachments together may not exceed ${MAX_DRAFT_ATTACHMENT_BYTES / 1024 / 1024} MB`,
      { limit: MAX_DRAFT_ATTACHMENT_BYTES },
    );
  const [row] = await tx
    .insert(draftAttachments)
    .values({
      draftId,
      filename: file.filename,
      contentType: file.contentType,
      size: file.size,
      blobHash: file.hash,
      createdAt: now,
    })
    .returning();
  if (!row) throw new Error("attachment insert returned nothing");
  return view(row);
}

/** The files of a draft by id (the caller has checked it is the user's), in upload order. */
export async function filesOfDraft(ctx: CoreContext, draftId: number): Promise<DraftAttachmentView[]> {
  const rows = await ctx.db
    .select()
    .from(draftAttachments)
    .where(eq(draftAttachments.draftId, draftId))
    .orderBy(asc(draftAttachments.id));
  return rows.map(view);
}

/** The same with their bytes, for the message being sent. */
export async function fileContentsOfDraft(ctx: CoreContext, draftId: number): Promise<DraftFile[]> {
  const rows = await ctx.db
    .select()
    .from(draftAttachments)
    .where(eq(draftAttachments.draftId, draftId))
    .orderBy(asc(draftAttachments.id));
  return Promise.all(
    rows.map(async (a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: await ctx.blobs.get(a.blobHash),
    })),
  );
}

/** Removes a file from the author's own new-message draft. */
export async function removeNewDraftAttachment(
  ctx: CoreContext,
  input: { userId: number; draftId: number; attachmentId: number },
): Promise<void> {
  await ownNewDraft(ctx, input.userId, input.draftId);
  const gone = await ctx.db
    .delete(draftAttachments)
    .where(and(eq(draftAttachments.id, input.attachmentId), eq(draftAttachments.draftId, input.draftId)))
    .returning({ id: draftAttachments.id });
  if (!gone.length) throw new AppError("NOT_FOUND", "No such file on your draft");
}

export const tooLarge = () =>
  new AppError("INVALID_INPUT", `A file may be at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`, {
    limit: MAX_ATTACHMENT_BYTES,
  });

async function rowsOf(ctx: CoreContext, userId: number, conversationId: number) {
  await getConversation(ctx, conversationId, userId);
  return ctx.db
    .select({ attachment: draftAttachments })
    .from(draftAttachments)
    .innerJoin(drafts, eq(drafts.id, draftAttachments.draftId))
    .where(editingOf(conversationId, userId))
    .orderBy(asc(draftAttachments.id));
}

/** The files on the author's editing draft, in upload order. */
export async function listDraftAttachments(
  ctx: CoreContext,
  input: { userId: number; conversationId: number },
): Promise<DraftAttachmentView[]> {
  return (await rowsOf(ctx, input.userId, input.conversationId)).map((r) => view(r.attachment));
}

/** The same files with their bytes, for the message being sent. */
export async function draftFilesForSend(
  ctx: CoreContext,
  input: { userId: number; conversationId: number },
): Promise<DraftFile[]> {
  const rows = await rowsOf(ctx, input.userId, input.conversationId);
  return Promise.all(
    rows.map(async ({ attachment: a }) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: await ctx.blobs.get(a.blobHash),
    })),
  );
}

/** Removes a file from the author's own editing draft (not from a held or refused one). */
export async function removeDraftAttachment(
  ctx: CoreContext,
  input: { userId: number; conversationId: number; attachmentId: number },
): Promise<void> {
  const own = (await rowsOf(ctx, input.userId, input.conversationId)).some(
    (r) => r.attachment.id === input.attachmentId,
  );
  if (!own) throw new AppError("NOT_FOUND", "No such file on your draft");
  await ctx.db.delete(draftAttachments).where(eq(draftAttachments.id, input.attachmentId));
}
