import { parseArgs } from "node:util";
import { type CoreContext, isAppError } from "@madoguchi/core";
import { DatabaseLockedError } from "@madoguchi/db/client";
import { type Command, UsageError } from "./cli/command";
import { connectorCommands } from "./cli/connector";
import { dnsCommands } from "./cli/dns";
import { domainCommands } from "./cli/domain";
import { commandHelp, groupHelp, mainHelp } from "./cli/help";
import { inboxCommands } from "./cli/inbox";
import { queueCommands } from "./cli/queue";
import { startCommand } from "./cli/start";
import { userCommands } from "./cli/user";
import { ConfigError, loadConfig, type Source } from "./env";
import { ListenError } from "./http";
import { DatabaseUnavailableError, openCore } from "./open-core";
import { version } from "./version";

const commands: Command[] = [
  startCommand,
  ...domainCommands,
  ...dnsCommands,
  ...userCommands,
  ...inboxCommands,
  ...connectorCommands,
  ...queueCommands,
];

/**
 * Exit codes: 0 done, 1 refused or failed (nothing was changed), 2 wrong command line. `env` is
 * where the configuration is read (process.env; a test passes its own).
 */
export async function main(argv: string[], env: Source = process.env): Promise<number> {
  try {
    return await dispatch(argv, env);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`madoguchi: ${err.message}`);
      console.error(
        err.command ? `usage: madoguchi ${err.command.usage}` : "Run madoguchi --help for the commands.",
      );
      return 2;
    }
    if (
      isAppError(err) ||
      err instanceof DatabaseLockedError ||
      err instanceof ConfigError ||
      err instanceof DatabaseUnavailableError ||
      err instanceof ListenError
    ) {
      console.error(`madoguchi: ${err.message}`);
      return 1;
    }
    console.error(`madoguchi: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
    return 1;
  }
}

async function dispatch(argv: string[], env: Source): Promise<number> {
  const [first, second] = argv;
  if (first === undefined) {
    console.error(mainHelp(commands));
    return 2;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    console.log(mainHelp(commands));
    return 0;
  }
  if (first === "--version" || first === "-v") {
    console.log(version);
    return 0;
  }
  const group = commands.filter((c) => c.path[0] === first);
  if (!group.length) throw new UsageError(`unknown command "${first}"`);
  const command =
    group.length === 1 && group[0]?.path.length === 1 ? group[0] : group.find((c) => c.path[1] === second);
  if (!command) {
    if (second === undefined || second === "--help" || second === "-h") {
      // Bare `madoguchi user` is a usage error (stderr, 2); `madoguchi user --help` is not.
      if (second === undefined) {
        console.error(groupHelp(first, group));
        return 2;
      }
      console.log(groupHelp(first, group));
      return 0;
    }
    throw new UsageError(`unknown command "${first} ${second}"; try madoguchi ${first} --help`);
  }
  return runCommand(command, argv.slice(command.path.length), env);
}

async function runCommand(command: Command, args: string[], env: Source): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // Node's message goes on to explain `--`; the first sentence is the useful part.
    throw new UsageError((err as Error).message.split(". ")[0] ?? "", command);
  }
  if (parsed.values.help) {
    console.log(commandHelp(command));
    return 0;
  }
  const [min, max] =
    typeof command.positionals === "number"
      ? [command.positionals, command.positionals]
      : command.positionals;
  if (parsed.positionals.length < min) throw new UsageError("missing argument", command);
  if (parsed.positionals.length > max)
    throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`, command);
  const config = loadConfig(env);
  const code = await command.run({
    positionals: parsed.positionals,
    values: parsed.values,
    config,
    async withCore<T>(fn: (ctx: CoreContext) => Promise<T>): Promise<T> {
      const core = await openCore(config);
      try {
        return await fn(core.ctx);
      } finally {
        await core.close();
      }
    },
  });
  return code ?? 0;
}
