import type { ConversationStatus } from "@madoguchi/db/schema";

/**
 * Conversation status and assignee, shown to IMAP clients as keywords on every message of the
 * conversation. Stable names (documented in the README); setting one from a mail client calls
 * the same domain functions as the web app.
 */
export const STATUS_KEYWORDS: Record<ConversationStatus, string> = {
  open: "$Status_Open",
  in_progress: "$Status_InProgress",
  waiting: "$Status_Waiting",
  done: "$Status_Done",
};
export const ASSIGNEE_KEYWORD_PREFIX = "$Assignee_";

/** Shared flags stored per message; \Seen is per user; \Recent is not kept (IMAP4rev2 dropped it). */
export const SHARED_SYSTEM_FLAGS = ["\\Answered", "\\Flagged", "\\Deleted", "\\Draft"] as const;

export function statusFromKeyword(keyword: string): ConversationStatus | undefined {
  const lower = keyword.toLowerCase();
  return (Object.keys(STATUS_KEYWORDS) as ConversationStatus[]).find(
    (s) => STATUS_KEYWORDS[s].toLowerCase() === lower,
  );
}

/** `$Assignee_alice@example.co.jp` (an IMAP atom may contain "@"). */
export function assigneeKeyword(email: string): string {
  return `${ASSIGNEE_KEYWORD_PREFIX}${email.toLowerCase()}`;
}

export function assigneeFromKeyword(keyword: string): string | undefined {
  if (keyword.length <= ASSIGNEE_KEYWORD_PREFIX.length) return undefined;
  if (
    keyword.slice(0, ASSIGNEE_KEYWORD_PREFIX.length).toLowerCase() !== ASSIGNEE_KEYWORD_PREFIX.toLowerCase()
  )
    return undefined;
  return keyword.slice(ASSIGNEE_KEYWORD_PREFIX.length).toLowerCase();
}

export const isDerivedKeyword = (flag: string): boolean =>
  statusFromKeyword(flag) !== undefined || assigneeFromKeyword(flag) !== undefined;
