import { conversations } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { accessibleInboxIds } from "../authz";
import type { CoreContext } from "../context";
import { type ConversationPage, conversationPage, type PageFilter } from "./conversation-page";

/**
 * "担当: 自分": conversations assigned to the caller in every inbox they may work right now,
 * with the same rows, per-status counts and paging as one inbox's list. An inbox the user
 * left drops out at once, even if conversations there are still assigned to them.
 */
export async function listAssignedConversations(
  ctx: CoreContext,
  userId: number,
  filter: PageFilter,
): Promise<ConversationPage> {
  const inboxIds = await accessibleInboxIds(ctx.db, userId);
  return conversationPage(ctx, userId, { inboxIds, where: [eq(conversations.assigneeId, userId)] }, filter);
}
