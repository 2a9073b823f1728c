import type { ArgSpec, Pop3Command } from "./command";
import { COMMANDS } from "./commands/index";
import { err, type Reply } from "./replies";
import type { Pop3Session } from "./session";

/** Message numbers and line counts beyond this are not numbers a client means. */
const NUMBER_RE = /^\d{1,15}$/;

export type Dispatched = { reply: Reply | undefined; bad: boolean };

/** Finds the command, checks state and arguments, then runs it. */
export async function dispatch(session: Pop3Session, line: string): Promise<Dispatched> {
  const space = line.indexOf(" ");
  const name = (space < 0 ? line : line.slice(0, space)).toUpperCase();
  const rest = space < 0 ? "" : line.slice(space + 1);
  const command = COMMANDS.get(name);
  if (!command) return { reply: err("unknown command"), bad: true };
  if (!command.states.includes(session.state)) {
    const text = session.state === "AUTHORIZATION" ? "log in first (USER/PASS or AUTH)" : "already logged in";
    return { reply: err(`${name} is not valid now: ${text}`), bad: true };
  }
  const args = parseArgs(command, rest);
  if (!args) return { reply: err(`usage: ${usage(name, command.args)}`), bad: true };
  return { reply: await command.handle(session, args), bad: false };
}

function parseArgs(command: Pop3Command, rest: string): string[] | undefined {
  const specs = command.args;
  if (specs.length === 1 && specs[0]?.kind === "rest") {
    return rest === "" && !specs[0].optional ? undefined : [rest];
  }
  const words = rest.split(" ").filter((w) => w !== "");
  const required = specs.filter((s) => !s.optional).length;
  if (words.length < required || words.length > specs.length) return undefined;
  const numbersOk = words.every((w, i) => specs[i]?.kind !== "number" || NUMBER_RE.test(w));
  return numbersOk ? words : undefined;
}

function usage(name: string, specs: readonly ArgSpec[]): string {
  return [name, ...specs.map((s) => (s.optional ? `[${s.name}]` : s.name))].join(" ");
}
