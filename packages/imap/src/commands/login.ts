import { login as coreLogin } from "@madoguchi/core";
import type { ImapSession } from "../session/session";
import { command, NOT_AUTHED, no, ok, type Reply } from "./types";

/** The one place both LOGIN and AUTHENTICATE PLAIN check a password (throttled per address by core). */
export async function authenticateUser(
  session: ImapSession,
  email: string,
  password: string,
): Promise<Reply> {
  if (!session.authAllowed) return no("Log in over TLS (STARTTLS or port 993)", "PRIVACYREQUIRED");
  const ctx = session.shared.throttle ? { ...session.ctx, throttle: session.shared.throttle } : session.ctx;
  const result = await coreLogin(ctx, {
    email,
    password,
    remoteAddress: session.remoteAddress,
    protocol: "imap",
  });
  if (!result.ok) {
    if (result.reason === "locked")
      return no(`Too many failed logins; try again in ${result.retryAfterSeconds} s`, "UNAVAILABLE");
    return no("Invalid credentials", "AUTHENTICATIONFAILED");
  }
  session.user = result.user;
  session.state = "authenticated";
  session.resetTimer();
  return ok("Logged in", `CAPABILITY ${session.capabilities().join(" ")}`);
}

export const login = command({
  name: "LOGIN",
  states: NOT_AUTHED,
  parse(args) {
    const user = args.astring("user name");
    const password = args.astring("password");
    args.end();
    return { user, password };
  },
  async handle(session, { user, password }) {
    return authenticateUser(session, user, password);
  },
});
