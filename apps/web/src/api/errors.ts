import type { ErrorData } from "@madoguchi/api/router";
import { TRPCClientError } from "@trpc/client";
import { isMessageKey, type MessageKey } from "../i18n";

export interface ReplyConflictInfo {
  kind: "reply_sent" | "comment_added" | "message_added";
  seq: number;
  at: string;
  byUserId: number | null;
  byName: string;
  draftId: number | null;
  description: string;
  text: string;
  subject: string | null;
}

/** The server's error data, when the error came from our API (not the network). */
export function errorData(err: unknown): Partial<ErrorData> | null {
  if (err instanceof TRPCClientError && err.data && typeof err.data === "object")
    return err.data as ErrorData;
  return null;
}

/** What to tell the user, in plain words, as a key of our own message files. */
export function errorKey(err: unknown): MessageKey {
  const data = errorData(err);
  const key = data?.messageKey;
  if (key && isMessageKey(key)) return key;
  if (err instanceof TRPCClientError && !data) return "error.network";
  return "error.internal";
}

export function isUnauthenticated(err: unknown): boolean {
  return errorData(err)?.messageKey === "error.unauthenticated";
}

/** A refused reply (send-time guard): who did what, their text, and the kept draft. */
export function replyConflictOf(err: unknown): ReplyConflictInfo | null {
  const data = errorData(err);
  if (data?.appCode !== "REPLY_CONFLICT") return null;
  const conflict = data.details?.conflict as ReplyConflictInfo | undefined;
  return conflict ?? null;
}

export function retryAfterSeconds(err: unknown): number | null {
  const v = errorData(err)?.details?.retryAfterSeconds;
  return typeof v === "number" ? v : null;
}
