import { setTimeout as sleep } from "node:timers/promises";
import type { CoreContext } from "../context";
import { authenticate, type PublicUser } from "../directory/users";
import { AuthThrottle } from "./throttle";

export type LoginProtocol = "web" | "imap" | "pop3" | "smtp";

export type LoginResult =
  | { ok: true; user: PublicUser }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "locked"; retryAfterSeconds: number };

/** The process-wide throttle, unless a context brings its own (tests). */
const sharedThrottle = new AuthThrottle();

export interface LoginContext extends CoreContext {
  throttle?: AuthThrottle;
}

/**
 * The one login check for every protocol: throttled per remote address, the same answer for
 * an unknown account and a wrong password.
 */
export async function login(
  ctx: LoginContext,
  input: { email: string; password: string; remoteAddress: string; protocol: LoginProtocol },
): Promise<LoginResult> {
  const throttle = ctx.throttle ?? sharedThrottle;
  const locked = throttle.lockedFor(input.remoteAddress);
  if (locked > 0) return { ok: false, reason: "locked", retryAfterSeconds: Math.ceil(locked / 1000) };
  const user = await authenticate(ctx, input.email, input.password);
  if (user) {
    throttle.recordSuccess(input.remoteAddress);
    return { ok: true, user };
  }
  const delay = throttle.recordFailure(input.remoteAddress);
  if (delay > 0) await sleep(delay);
  return { ok: false, reason: "invalid" };
}
