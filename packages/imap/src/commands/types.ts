import type { ArgReader } from "../protocol/args";
import type { ImapSession } from "../session/session";

export type SessionState = "notAuthenticated" | "authenticated" | "selected" | "logout";

/** How a command ends: protocol failures are reply data, not exceptions. */
export interface Reply {
  status: "OK" | "NO" | "BAD";
  code?: string;
  text: string;
}

export interface Command<A = unknown> {
  /** "FETCH", "UID FETCH", … */
  name: string;
  states: readonly SessionState[];
  /** Validates the arguments before anything runs; a ParseError becomes BAD. */
  parse(args: ArgReader, session: ImapSession): A;
  handle(session: ImapSession, args: A, tag: string): Promise<Reply>;
  /**
   * RFC 3501 §7.4.1: no EXPUNGE while responding to FETCH, STORE or SEARCH (their UID forms
   * are fine, as UIDs do not shift). Defaults to true.
   */
  expungeSafe?: boolean;
}

export const ok = (text: string, code?: string): Reply => ({ status: "OK", text, code });
export const no = (text: string, code?: string): Reply => ({ status: "NO", text, code });
export const bad = (text: string, code?: string): Reply => ({ status: "BAD", text, code });

export const ANY = ["notAuthenticated", "authenticated", "selected"] as const;
export const AUTHED = ["authenticated", "selected"] as const;
export const SELECTED = ["selected"] as const;
export const NOT_AUTHED = ["notAuthenticated"] as const;

/** Declares a command with its argument type inferred from parse(). */
export function command<A>(spec: Command<A>): Command<A> {
  return spec;
}
