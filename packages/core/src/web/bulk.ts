import type { ConversationStatus } from "@madoguchi/db/schema";
import type { CoreContext } from "../context";
import { assignConversation } from "../conversations/assign";
import { setJunk } from "../conversations/junk";
import { setConversationLabels } from "../conversations/labels";
import { setStatus } from "../conversations/status";
import { type AppError, isAppError } from "../errors";
import { markConversationRead } from "./read-state";

/** Most conversations one 一括操作 takes: a page of the list. */
export const MAX_BULK = 100;

export type BulkAction =
  | { kind: "status"; status: ConversationStatus }
  | { kind: "assignee"; assigneeId: number | null }
  | { kind: "junk"; junk: boolean }
  | { kind: "read"; read: boolean }
  /** ラベル: put on (or take off) every selected conversation. */
  | { kind: "label"; labelId: number; add: boolean };

export interface BulkOutcome {
  conversationId: number;
  /** For a read action: the read state now (other tabs of the user are told). */
  readSeq?: number;
  /** Why this one was not changed; null when it was (or already was so). */
  error: AppError | null;
}

/**
 * 一括操作: one action on many conversations of the list (対応済みにする, 担当者, 迷惑メール, 既読,
 * ラベル).
 * Each goes through the same function as the single action, in its own transaction with its own
 * access check, in the order given: a conversation the user may not work, or one deleted
 * meanwhile, fails alone and the others are changed. A failure that is not the user's (the
 * database) stops the rest and is thrown.
 */
export async function bulkUpdateConversations(
  ctx: CoreContext,
  userId: number,
  conversationIds: number[],
  action: BulkAction,
): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = [];
  for (const conversationId of [...new Set(conversationIds)].slice(0, MAX_BULK)) {
    try {
      outcomes.push({ conversationId, error: null, ...(await apply(ctx, userId, conversationId, action)) });
    } catch (err) {
      if (!isAppError(err)) throw err;
      outcomes.push({ conversationId, error: err });
    }
  }
  return outcomes;
}

async function apply(
  ctx: CoreContext,
  userId: number,
  conversationId: number,
  action: BulkAction,
): Promise<{ readSeq?: number }> {
  switch (action.kind) {
    case "status":
      await setStatus(ctx, { conversationId, userId, status: action.status });
      return {};
    case "assignee":
      await assignConversation(ctx, { conversationId, userId, assigneeId: action.assigneeId });
      return {};
    case "junk":
      await setJunk(ctx, { conversationId, userId, junk: action.junk });
      return {};
    case "label":
      await setConversationLabels(ctx, {
        conversationId,
        userId,
        ...(action.add ? { add: [action.labelId] } : { remove: [action.labelId] }),
      });
      return {};
    case "read":
      return {
        readSeq: (await markConversationRead(ctx, { conversationId, userId, read: action.read })).readSeq,
      };
  }
}
