import { err, type Reply } from "../replies";
import type { Pop3Session } from "../session";

/** Passwords never cross the network in clear: USER, PASS and AUTH wait for TLS. */
export function requireTls(session: Pop3Session): Reply | undefined {
  if (session.secure) return undefined;
  const how = session.canStartTls ? "; use STLS first" : " on this port";
  return err(`plaintext authentication is disabled${how}`, "AUTH");
}
