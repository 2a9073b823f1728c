import { AppError, type AppErrorCode } from "@madoguchi/core";
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

/**
 * Message keys the SPA shows, with their Japanese and English text. The key is stable; the
 * texts are defaults (the SPA may carry its own translations keyed the same way).
 */
export const USER_MESSAGES = {
  "error.notFound": {
    ja: "見つかりません。削除されたか、アクセスできない可能性があります。",
    en: "Not found. It may have been deleted, or you may not have access.",
  },
  "error.forbidden": { ja: "この操作を行う権限がありません。", en: "You are not allowed to do this." },
  "error.unauthenticated": {
    ja: "ログインしていないか、ログインの有効期限が切れました。もう一度ログインしてください。",
    en: "You are not logged in, or your session has expired. Please log in again.",
  },
  "error.csrf": {
    ja: "安全確認のため、この操作は受け付けられませんでした。ページを再読み込みしてください。",
    en: "This request was refused by a security check. Please reload the page.",
  },
  "error.conflict": {
    ja: "他の操作と競合しました。少し待ってからやり直してください。",
    en: "This clashed with another change. Please try again.",
  },
  "error.replyConflict": {
    ja: "あなたが見た後に、他の返信・コメント・お客様からの新しいメールがありました。内容を確認してから送信してください（下書きは保存されています）。",
    en: "Someone replied or commented, or the customer wrote again, after you looked. Check it before sending (your draft is kept).",
  },
  "error.invalidInput": { ja: "入力内容を確認してください。", en: "Please check what you entered." },
  "error.internal": {
    ja: "サーバーでエラーが発生しました。しばらくしてからやり直してください。",
    en: "Something went wrong on the server. Please try again later.",
  },
  "error.busy": {
    ja: "サーバーが混み合っています。しばらくしてからやり直してください。",
    en: "The server is busy. Please try again shortly.",
  },
  "error.addressInUse": {
    ja: "このアドレスはすでに使われています（受信箱か、そのエイリアスとして）。",
    en: "This address is already in use (by an inbox, or as one of its aliases).",
  },
  "error.domainNotServed": {
    ja: "このドメインはまだ登録されていません。先に「ドメイン」で追加してください。",
    en: "This domain is not served here yet. Add it under Domains first.",
  },
  "error.sendLimit": {
    ja: "1時間に送信できる社外の宛先数の上限に達しました。しばらくしてから送信してください（上限は管理者が変更できます）。",
    en: "You reached the limit of recipients at other servers per hour. Please send it later (an administrator can change the limit).",
  },
  "error.labelNameTaken": {
    ja: "この受信箱には同じ名前のラベルがすでにあります。",
    en: "This inbox already has a label with that name.",
  },
  "error.snoozeInPast": {
    ja: "スヌーズの時刻は今より後にしてください。",
    en: "Choose a snooze time in the future.",
  },
  "error.snoozeTooFar": {
    ja: "スヌーズできるのは1年先までです。",
    en: "A conversation can be snoozed for a year at most.",
  },
  "error.ruleNoCondition": {
    ja: "条件を1つ以上指定してください。",
    en: "Give the rule at least one condition.",
  },
  "error.ruleNoAction": {
    ja: "担当者・ラベル・ステータスのいずれかを指定してください。",
    en: "Choose an assignee, a label or a status for the rule.",
  },
  "error.autoReplyNoBody": {
    ja: "自動返信の本文を入力してください。",
    en: "Write the auto-reply's text.",
  },
  "error.autoReplyHours": {
    ja: "営業時間は、曜日を1つ以上選び、開始を終了より前に、休業日は初日を最終日以前にしてください。",
    en: "For business hours, choose at least one weekday, a start before the end, and closed days that end on or after their first day.",
  },
  "error.sendAt": {
    ja: "送信予約の日時は、今より後の14日以内で指定してください。",
    en: "Choose a time to send in the future, at most 14 days ahead.",
  },
  "auth.invalid": {
    ja: "メールアドレスまたはパスワードが正しくありません。",
    en: "The email address or password is not correct.",
  },
  "auth.locked": {
    ja: "ログインの失敗が続いたため、一時的にログインできません。しばらくしてからやり直してください。",
    en: "Too many failed logins. Please wait a while and try again.",
  },
  "auth.currentPasswordWrong": {
    ja: "現在のパスワードが正しくありません。",
    en: "The current password is not correct.",
  },
  "auth.passwordTooShort": {
    ja: "パスワードは8文字以上にしてください。",
    en: "Passwords need at least 8 characters.",
  },
} as const satisfies Record<string, { ja: string; en: string }>;

export type MessageKey = keyof typeof USER_MESSAGES;

/** What a TRPCError carries as its cause so the formatter can say it in plain words. */
export class UserFacingCause extends Error {
  constructor(
    readonly key: MessageKey,
    message: string,
    readonly appCode: AppErrorCode | null,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "UserFacingCause";
  }
}

const BY_CODE: Record<AppErrorCode, [TRPC_ERROR_CODE_KEY, MessageKey]> = {
  NOT_FOUND: ["NOT_FOUND", "error.notFound"],
  FORBIDDEN: ["FORBIDDEN", "error.forbidden"],
  UNAUTHENTICATED: ["UNAUTHORIZED", "error.unauthenticated"],
  CONFLICT: ["CONFLICT", "error.conflict"],
  INVALID_INPUT: ["BAD_REQUEST", "error.invalidInput"],
  REPLY_CONFLICT: ["CONFLICT", "error.replyConflict"],
  DATABASE_LOCKED: ["SERVICE_UNAVAILABLE", "error.busy"],
  SEND_LIMIT: ["TOO_MANY_REQUESTS", "error.sendLimit"],
};

/** The one mapping from domain errors to tRPC errors. */
export function fromAppError(err: AppError): TRPCError {
  return new TRPCError({
    code: BY_CODE[err.code][0],
    message: err.message,
    cause: new UserFacingCause(messageKeyOf(err), err.message, err.code, err.details),
  });
}

/** What the user reads about a domain error, as a key of the web app's message files. */
export function messageKeyOf(err: AppError): MessageKey {
  let messageKey: MessageKey = BY_CODE[err.code][1];
  if (
    err.code === "INVALID_INPUT" &&
    /at least \d+ characters/.test(err.message) &&
    /Password/i.test(err.message)
  )
    messageKey = "auth.passwordTooShort";
  if (err.code === "INVALID_INPUT" && err.details.field === "currentPassword")
    messageKey = "auth.currentPasswordWrong";
  if (err.details.reason === "address_in_use") messageKey = "error.addressInUse";
  if (err.details.reason === "domain_not_served") messageKey = "error.domainNotServed";
  if (err.details.reason === "label_name_taken") messageKey = "error.labelNameTaken";
  if (err.details.reason === "snooze_in_past") messageKey = "error.snoozeInPast";
  if (err.details.reason === "snooze_too_far") messageKey = "error.snoozeTooFar";
  if (err.details.reason === "rule_no_condition") messageKey = "error.ruleNoCondition";
  if (err.details.reason === "rule_no_action") messageKey = "error.ruleNoAction";
  if (err.details.reason === "auto_reply_no_body") messageKey = "error.autoReplyNoBody";
  if (err.details.reason === "auto_reply_hours") messageKey = "error.autoReplyHours";
  if (err.code === "INVALID_INPUT" && err.details.field === "sendAt") messageKey = "error.sendAt";
  return messageKey;
}

export function userError(
  code: TRPC_ERROR_CODE_KEY,
  key: MessageKey,
  message: string,
  details: Record<string, unknown> = {},
): TRPCError {
  return new TRPCError({ code, message, cause: new UserFacingCause(key, message, null, details) });
}

export function isAppErrorLike(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Default message key per tRPC code, for errors thrown by tRPC itself (bad input, unknown path). */
export function keyForTrpcCode(code: TRPC_ERROR_CODE_KEY): MessageKey {
  switch (code) {
    case "NOT_FOUND":
      return "error.notFound";
    case "FORBIDDEN":
      return "error.forbidden";
    case "UNAUTHORIZED":
      return "error.unauthenticated";
    case "CONFLICT":
      return "error.conflict";
    case "BAD_REQUEST":
    case "PARSE_ERROR":
    case "UNPROCESSABLE_CONTENT":
    case "PAYLOAD_TOO_LARGE":
      return "error.invalidInput";
    case "TOO_MANY_REQUESTS":
      return "auth.locked";
    case "SERVICE_UNAVAILABLE":
      return "error.busy";
    default:
      return "error.internal";
  }
}
