import { AppError, type CoreContext, type PublicUser, runOnce } from "@madoguchi/core";
import { initTRPC, TRPCError } from "@trpc/server";
import type { ApiRuntime } from "./deps";
import { fromAppError, keyForTrpcCode, USER_MESSAGES, UserFacingCause, userError } from "./errors";

/** What every procedure sees. Built per HTTP request by http/context.ts. */
export interface ApiContext {
  ctx: CoreContext;
  runtime: ApiRuntime;
  /** The logged-in user, or null. */
  user: PublicUser | null;
  /** Hash id of the session (never the cookie value). */
  sessionId: string | null;
  /** The raw session token from the cookie, for logout. */
  sessionToken: string | null;
  remoteAddress: string;
  userAgent: string | null;
  /** The request carried the anti-CSRF header and no foreign Origin. */
  csrfOk: boolean;
  setSessionCookie(token: string, expiresAt: Date): void;
  clearSessionCookie(): void;
}

/** Header every mutation must carry (browsers cannot add it cross-site without a CORS preflight we never grant). */
export const CSRF_HEADER = "x-madoguchi-csrf";

export interface ErrorData {
  /** Our domain code when the error came from packages/core (e.g. REPLY_CONFLICT). */
  appCode: string | null;
  /** Stable key for the SPA's message table (USER_MESSAGES). */
  messageKey: keyof typeof USER_MESSAGES;
  /** The message in plain words, Japanese and English. */
  userMessage: { ja: string; en: string };
  /** Structured details: e.g. { conflict } for a refused reply, { retryAfterSeconds } for a locked login. */
  details: Record<string, unknown>;
  /** Input validation problems, by field path. */
  issues: { path: string; message: string }[] | null;
}

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause instanceof UserFacingCause ? error.cause : null;
    const issues = inputIssues(error.cause);
    const messageKey = cause?.key ?? keyForTrpcCode(error.code);
    const data: typeof shape.data & ErrorData = {
      ...shape.data,
      stack: undefined,
      appCode: cause?.appCode ?? null,
      messageKey,
      userMessage: USER_MESSAGES[messageKey],
      details: cause?.details ?? {},
      issues,
    };
    // Internal errors say nothing about internals.
    const message = error.code === "INTERNAL_SERVER_ERROR" ? "Internal server error" : shape.message;
    return { ...shape, message, data };
  },
});

function inputIssues(cause: unknown): ErrorData["issues"] {
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return null;
  return issues.map((i: { path?: readonly unknown[]; message?: string }) => ({
    path: (i.path ?? [])
      .map((p) => (typeof p === "object" && p !== null && "key" in p ? String(p.key) : String(p)))
      .join("."),
    message: i.message ?? "invalid",
  }));
}

export const createRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain errors become tRPC errors here, once, for every procedure. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) throw fromAppError(result.error.cause);
  return result;
});

/** Every mutation, logged in or not (login too), must pass the CSRF check. */
const csrf = t.middleware(({ ctx, type, next }) => {
  if (type === "mutation" && !ctx.csrfOk)
    throw userError("FORBIDDEN", "error.csrf", `Missing ${CSRF_HEADER} header or foreign Origin`);
  return next();
});

export const publicProcedure = t.procedure.use(mapErrors).use(csrf);

/** Narrows the user to non-null: a procedure built on it cannot forget to check the login. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.sessionId) throw userError("UNAUTHORIZED", "error.unauthenticated", "Not logged in");
  return next({ ctx: { ...ctx, user: ctx.user, sessionId: ctx.sessionId } });
});

/** Administrators only; core checks again (assertAdmin) in every admin function. */
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.isAdmin) throw userError("FORBIDDEN", "error.forbidden", "Administrators only");
  return next();
});

export type AuthedContext = ApiContext & { user: PublicUser; sessionId: string };

/**
 * Applies a mutation once per client mutation id (see core runOnce); without an id it simply
 * runs. `path` names the procedure so one id cannot be replayed as another action.
 */
export function applyOnce<T>(
  ctx: AuthedContext,
  path: string,
  clientMutationId: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  if (!clientMutationId) return fn();
  return runOnce(ctx.ctx, { userId: ctx.user.id, mutationId: clientMutationId, procedure: path }, fn);
}

export { TRPCError };
