import type { ParseArgsConfig } from "node:util";
import type { CoreContext } from "@madoguchi/core";
import type { ServerConfig } from "../env";

type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;
/** As node:util parseArgs returns them. */
export type OptionValue = string | boolean | (string | boolean)[] | undefined;

/** What a command receives: its parsed arguments and a way to reach the domain. */
export interface CommandInput {
  positionals: string[];
  values: Record<string, OptionValue>;
  config: ServerConfig;
  /** Opens the database (migrating it), runs fn, and closes the database again. */
  withCore<T>(fn: (ctx: CoreContext) => Promise<T>): Promise<T>;
}

export interface Command {
  /** Words after `madoguchi`, e.g. ["user", "add"]. */
  path: string[];
  /** One line: `user add <email> --name <name> --password <password> [--admin]`. */
  usage: string;
  summary: string;
  /** Extra help lines (options, examples). */
  help?: string[];
  options?: OptionsConfig;
  /** Number of positional arguments: exactly n, or [min, max]. */
  positionals: number | [number, number];
  /** Returns the exit code (default 0). */
  run(input: CommandInput): Promise<number | undefined>;
}

/** Wrong command line: exit code 2, with the command's usage. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** `a@x, b@y` and repeated flags both work: --members a@x --members b@y. */
export function listOption(value: OptionValue): string[] {
  const parts = Array.isArray(value) ? value : [value];
  return parts
    .flatMap((v) => (typeof v === "string" ? v.split(",") : []))
    .map((v) => v.trim())
    .filter(Boolean);
}

export function stringOption(input: CommandInput, name: string, command: Command): string {
  const value = input.values[name];
  if (typeof value !== "string" || !value.trim()) throw new UsageError(`--${name} is required`, command);
  return value;
}
