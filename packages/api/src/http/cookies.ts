import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

export const SESSION_COOKIE = "madoguchi_session";

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!name || out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      // a malformed cookie is ignored, not an error
    }
  }
  return out;
}

export function sessionTokenOf(req: IncomingMessage): string | null {
  return parseCookies(req.headers.cookie).get(SESSION_COOKIE) ?? null;
}

/** Host header without the port. */
function hostnameOf(req: IncomingMessage): string {
  const host = req.headers.host ?? "";
  if (host.startsWith("[")) return host.slice(1, host.indexOf("]"));
  return host.replace(/:\d+$/, "");
}

const isLoopback = (host: string) =>
  host === "localhost" ||
  host.endsWith(".localhost") ||
  host === "::1" ||
  (isIP(host) === 4 && host.startsWith("127."));

/**
 * Secure cookies, except for plain HTTP to a loopback host (a developer's `npm start`), where
 * the browser would drop a Secure cookie. Behind a TLS-terminating proxy the Host is public,
 * so the cookie is Secure.
 */
export function wantsSecureCookie(req: IncomingMessage, setting: boolean | "auto" = "auto"): boolean {
  if (setting !== "auto") return setting;
  const tls = Boolean((req.socket as { encrypted?: boolean }).encrypted);
  return tls || !isLoopback(hostnameOf(req));
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${maxAge}`,
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

export function clearedSessionCookie(secure: boolean): string {
  return [
    `${SESSION_COOKIE}=`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    "Max-Age=0",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

/** A cross-site request carries a foreign Origin; ours (or none: same-origin GET, curl) is fine. */
export function originMatchesHost(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin || origin === "null") return origin !== "null";
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
