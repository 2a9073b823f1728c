import { conversations } from "@madoguchi/db/schema";
import { eq, isNull, type SQL } from "drizzle-orm";
import { assertInboxAccess } from "../authz";
import type { CoreContext } from "../context";
import { type ConversationPage, conversationPage, type PageFilter } from "./conversation-page";

export {
  type ConversationPage,
  type ConversationRow,
  MAX_PAGE_SIZE,
  type PersonRef,
} from "./conversation-page";
export { searchTerms } from "./conversation-search";

export interface ConversationListFilter extends PageFilter {
  inboxId: number;
  /** me: assigned to the caller; unassigned; anyone (default). assigneeId picks one teammate. */
  assignee?: "me" | "unassigned" | "anyone";
  assigneeId?: number;
}

/** One page of an inbox's conversations, newest message first (see conversationPage). Members only. */
export async function listConversations(
  ctx: CoreContext,
  userId: number,
  filter: ConversationListFilter,
): Promise<ConversationPage> {
  await assertInboxAccess(ctx.db, userId, filter.inboxId);
  const where: SQL[] = [];
  if (filter.assigneeId !== undefined) where.push(eq(conversations.assigneeId, filter.assigneeId));
  else if (filter.assignee === "me") where.push(eq(conversations.assigneeId, userId));
  else if (filter.assignee === "unassigned") where.push(isNull(conversations.assigneeId));
  return conversationPage(ctx, userId, { inboxIds: [filter.inboxId], where }, filter);
}
