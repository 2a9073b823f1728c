import type { IncomingMessage, ServerResponse } from "node:http";
import { findSessionUser } from "@madoguchi/core";
import type { ApiRuntime } from "../deps";
import { type ApiContext, CSRF_HEADER } from "../trpc";
import {
  clearedSessionCookie,
  originMatchesHost,
  sessionCookie,
  sessionTokenOf,
  wantsSecureCookie,
} from "./cookies";

export function remoteAddressOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}

/** Builds the per-request tRPC context: the session behind the cookie and the CSRF verdict. */
export function contextFactory(runtime: ApiRuntime) {
  return async ({ req, res }: { req: IncomingMessage; res: ServerResponse }): Promise<ApiContext> => {
    const token = sessionTokenOf(req);
    const found = token ? await findSessionUser(runtime.deps.ctx, token) : null;
    const secure = wantsSecureCookie(req, runtime.deps.secureCookies);
    return {
      ctx: runtime.deps.ctx,
      runtime,
      user: found?.user ?? null,
      sessionId: found?.sessionId ?? null,
      sessionToken: token,
      remoteAddress: remoteAddressOf(req),
      userAgent: req.headers["user-agent"] ?? null,
      csrfOk: req.headers[CSRF_HEADER] === "1" && originMatchesHost(req),
      setSessionCookie: (value, expiresAt) =>
        res.appendHeader("Set-Cookie", sessionCookie(value, expiresAt, secure)),
      clearSessionCookie: () => res.appendHeader("Set-Cookie", clearedSessionCookie(secure)),
    };
  };
}
