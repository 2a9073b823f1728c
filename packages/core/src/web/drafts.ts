import { type DraftContent, drafts } from "@madoguchi/db/schema";
import { and, desc, eq, sql } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";
import { getConversation } from "../conversations/lock";
import { AppError } from "../errors";

export type Draft = typeof drafts.$inferSelect;

/** A draft is a reply being typed, not an archive: beyond this it is refused. */
export const MAX_DRAFT_BYTES = 1_000_000;

/**
 * Autosave: the one "editing" draft of this user on this conversation is created or replaced.
 * A transaction-scoped advisory lock on (conversation, user) keeps two racing autosaves from
 * creating two drafts.
 */
export async function saveDraft(
  ctx: CoreContext,
  input: { userId: number; conversationId: number; content: DraftContent; basedOnSeq: number },
): Promise<Draft> {
  await getConversation(ctx, input.conversationId, input.userId);
  if (Buffer.byteLength(JSON.stringify(input.content)) > MAX_DRAFT_BYTES)
    throw new AppError("INVALID_INPUT", "The draft is too large");
  const now = nowOf(ctx);
  return ctx.db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(${input.conversationId % 2_147_483_647}::int, ${input.userId}::int)`,
    );
    const [existing] = await tx
      .select({ id: drafts.id })
      .from(drafts)
      .where(mine(input.conversationId, input.userId));
    const [row] = existing
      ? await tx
          .update(drafts)
          .set({ content: input.content, basedOnSeq: input.basedOnSeq, updatedAt: now })
          .where(eq(drafts.id, existing.id))
          .returning()
      : await tx
          .insert(drafts)
          .values({
            conversationId: input.conversationId,
            authorId: input.userId,
            content: input.content,
            basedOnSeq: input.basedOnSeq,
            state: "editing",
            createdAt: now,
            updatedAt: now,
          })
          .returning();
    if (!row) throw new Error("draft upsert returned nothing");
    return row;
  });
}

const mine = (conversationId: number, userId: number) =>
  and(eq(drafts.conversationId, conversationId), eq(drafts.authorId, userId), eq(drafts.state, "editing"));

/** The user's editing draft and the replies of theirs the guard refused (newest first). */
export async function loadDrafts(
  ctx: CoreContext,
  input: { userId: number; conversationId: number },
): Promise<{ editing: Draft | null; refused: Draft[] }> {
  await getConversation(ctx, input.conversationId, input.userId);
  const rows = await ctx.db
    .select()
    .from(drafts)
    .where(and(eq(drafts.conversationId, input.conversationId), eq(drafts.authorId, input.userId)))
    .orderBy(desc(drafts.updatedAt), desc(drafts.id))
    .limit(50);
  return {
    editing: rows.find((d) => d.state === "editing") ?? null,
    refused: rows.filter((d) => d.state === "refused"),
  };
}

/** Deletes one of the user's drafts (editing or refused), or their editing draft when no id is given. */
export async function discardDraft(
  ctx: CoreContext,
  input: { userId: number; conversationId: number; draftId?: number },
): Promise<void> {
  await getConversation(ctx, input.conversationId, input.userId);
  await ctx.db
    .delete(drafts)
    .where(
      input.draftId === undefined
        ? mine(input.conversationId, input.userId)
        : and(
            eq(drafts.id, input.draftId),
            eq(drafts.conversationId, input.conversationId),
            eq(drafts.authorId, input.userId),
          ),
    );
}
