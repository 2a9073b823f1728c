/** Error codes of the domain; one formatter per protocol maps them to tRPC/HTTP, SMTP, IMAP or CLI output. */
export type AppErrorCode =
  | "NOT_FOUND"
  | "FORBIDDEN"
  | "UNAUTHENTICATED"
  | "CONFLICT"
  | "INVALID_INPUT"
  | "REPLY_CONFLICT"
  | "DATABASE_LOCKED"
  | "SEND_LIMIT";

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export function isAppError(err: unknown, code?: AppErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
