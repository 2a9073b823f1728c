import type { Reply } from "./replies";
import type { Pop3Session, SessionState } from "./session";

/** One argument of a command: a number (message number, line count), a word, or the rest of the line. */
export interface ArgSpec {
  name: string;
  kind: "number" | "word" | "rest";
  optional?: boolean;
}

/**
 * A POP3 command as the registry knows it. The dispatcher checks state and arguments before
 * `handle` runs; `handle` returns its status line, or undefined when it wrote a multi-line
 * response itself.
 */
export interface Pop3Command {
  states: readonly SessionState[];
  args: readonly ArgSpec[];
  handle(session: Pop3Session, args: string[]): Promise<Reply | undefined>;
}

export const AUTHORIZATION = ["AUTHORIZATION"] as const;
export const TRANSACTION = ["TRANSACTION"] as const;
export const ANY_STATE = ["AUTHORIZATION", "TRANSACTION"] as const;
