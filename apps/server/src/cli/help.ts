import { version } from "../version";
import type { Command } from "./command";

export function mainHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.path.join(" ").length));
  return [
    `Madoguchi ${version}: shared-inbox mail server (窓口)`,
    "",
    "usage: madoguchi <command> [options]",
    "",
    ...commands.map((c) => `  ${c.path.join(" ").padEnd(width)}  ${c.summary}`),
    "",
    "Run madoguchi <command> --help for a command's options.",
    "Configuration comes from environment variables (MADOGUCHI_DATA_DIR, DATABASE_URL, …); see README.md.",
  ].join("\n");
}

export function groupHelp(name: string, group: Command[]): string {
  return [
    `usage:`,
    ...group.map((c) => `  madoguchi ${c.usage}\n      ${c.summary}`),
    "",
    `Run madoguchi ${name} <command> --help for details.`,
  ].join("\n");
}

export function commandHelp(command: Command): string {
  return [
    `usage: madoguchi ${command.usage}`,
    "",
    command.summary,
    ...(command.help?.length ? ["", ...command.help] : []),
  ].join("\n");
}
