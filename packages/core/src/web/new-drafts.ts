import { type DraftContent, drafts } from "@madoguchi/db/schema";
import { and, desc, eq, isNull } from "drizzle-orm";
import { assertInboxAccess, canAccessInbox } from "../authz";
import { type CoreContext, nowOf } from "../context";
import { AppError } from "../errors";
import { type DraftAttachmentView, filesOfDraft, ownNewDraft } from "./draft-attachments";
import { type Draft, MAX_DRAFT_BYTES } from "./drafts";

/**
 * 新規作成 drafts: a new message being written has no conversation yet, only the inbox it is
 * sent from. Saved as the author types (created on the first save, then replaced by id), listed
 * after a reload, and on send adopted by the conversation the message starts (adoptNewDraft).
 */
export async function saveNewDraft(
  ctx: CoreContext,
  input: { userId: number; inboxId: number; draftId?: number; content: DraftContent },
): Promise<Draft> {
  await assertInboxAccess(ctx.db, input.userId, input.inboxId);
  if (Buffer.byteLength(JSON.stringify(input.content)) > MAX_DRAFT_BYTES)
    throw new AppError("INVALID_INPUT", "The draft is too large");
  const now = nowOf(ctx);
  if (input.draftId !== undefined) {
    await ownNewDraft(ctx, input.userId, input.draftId);
    const [row] = await ctx.db
      .update(drafts)
      .set({ inboxId: input.inboxId, content: input.content, updatedAt: now })
      .where(eq(drafts.id, input.draftId))
      .returning();
    if (!row) throw new AppError("NOT_FOUND", "No such draft of yours");
    return row;
  }
  const [row] = await ctx.db
    .insert(drafts)
    .values({
      conversationId: null,
      inboxId: input.inboxId,
      authorId: input.userId,
      content: input.content,
      state: "editing",
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error("draft insert returned nothing");
  return row;
}

/** The user's unsent new messages (newest first) in inboxes they may still use, with their files. */
export async function listNewDrafts(
  ctx: CoreContext,
  userId: number,
): Promise<(Draft & { attachments: DraftAttachmentView[] })[]> {
  const rows = await ctx.db
    .select()
    .from(drafts)
    .where(and(eq(drafts.authorId, userId), isNull(drafts.conversationId), eq(drafts.state, "editing")))
    .orderBy(desc(drafts.updatedAt), desc(drafts.id))
    .limit(20);
  const out: (Draft & { attachments: DraftAttachmentView[] })[] = [];
  for (const d of rows) {
    if (d.inboxId === null || !(await canAccessInbox(ctx.db, userId, d.inboxId))) continue;
    out.push({ ...d, attachments: await filesOfDraft(ctx, d.id) });
  }
  return out;
}

export async function discardNewDraft(ctx: CoreContext, input: { userId: number; draftId: number }) {
  await ownNewDraft(ctx, input.userId, input.draftId);
  await ctx.db.delete(drafts).where(eq(drafts.id, input.draftId));
}

/**
 * The sent new message's draft joins the conversation it started, as the author's editing
 * draft there, so the undo window holds it (with its files) like a reply's.
 */
export async function adoptNewDraft(
  ctx: CoreContext,
  input: { userId: number; draftId: number; conversationId: number },
): Promise<void> {
  await ctx.db
    .update(drafts)
    .set({ conversationId: input.conversationId })
    .where(
      and(
        eq(drafts.id, input.draftId),
        eq(drafts.authorId, input.userId),
        isNull(drafts.conversationId),
        eq(drafts.state, "editing"),
      ),
    );
}
