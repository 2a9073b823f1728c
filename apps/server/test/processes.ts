import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "node:util";
import type { DriverName } from "@madoguchi/db/client";
import { pgliteTemplateFile } from "@madoguchi/db/template";
import { createTestDatabase, TEST_ARGON2 } from "../../../packages/core/test/harness";

/** The CLI exactly as an admin runs it. */
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../bin/madoguchi.mjs");

export { drivers } from "../../../packages/core/test/harness";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child: this process's, minus anything that configures Madoguchi (a
 * developer's DATABASE_URL must not leak into a test), plus the test's own settings.
 */
export function childEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "DATABASE_URL" || key.startsWith("MADOGUCHI_") || key.endsWith("_PORT")) continue;
    env[key] = value;
  }
  return { ...env, ...settings };
}

/**
 * Runs the CLI to completion. With `stdin`, it is piped in and closed, as `printf … | madoguchi …`
 * does; without, stdin stays open and unread, as for commands that never read it.
 */
export function runCli(args: string[], settings: Record<string, string>, stdin?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv(settings), stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    if (stdin !== undefined) child.stdin.end(stdin);
  });
}

/**
 * The CLI's own entry (what bin/madoguchi.mjs calls) in this process, its console output
 * collected: the same commands, parsing, configuration and exit code without a new Node and
 * database start for every step (a few seconds each on a 2-core machine). Only one at a time;
 * tests of the process itself (exit status, stdin, the bin script) use runCli.
 */
export async function runCliHere(args: string[], settings: Record<string, string>): Promise<CliResult> {
  const { main } = await import("../src/cli");
  const out = { stdout: "", stderr: "" };
  const { log, error } = console;
  console.log = (...parts: unknown[]) => {
    out.stdout += `${format(...parts)}\n`;
  };
  console.error = (...parts: unknown[]) => {
    out.stderr += `${format(...parts)}\n`;
  };
  try {
    return { code: await main(args, childEnv(settings)), ...out };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** `madoguchi start` in the background, with its output collected as it comes. */
export class ServerProcess {
  output = "";
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on("data", (d) => {
      this.output += d;
    });
    child.stderr?.on("data", (d) => {
      this.output += d;
    });
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  }

  static start(settings: Record<string, string>): ServerProcess {
    return new ServerProcess(
      spawn(process.execPath, [BIN, "start"], { env: childEnv(settings), stdio: "pipe" }),
    );
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    this.exited.then((code) => {
      exitCode = code;
    });
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (exitCode !== undefined)
        throw new Error(`server exited (${exitCode}) before ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends the signal and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

export interface DataDir {
  /** Environment that points the CLI at this data directory (and database). */
  settings: Record<string, string>;
  dir: string;
  remove(): Promise<void>;
}

/**
 * A fresh data directory; for PostgreSQL also a fresh database next to TEST_DATABASE_URL's,
 * dropped again by remove(), so test files never share state.
 */
export async function freshDataDir(driver: DriverName): Promise<DataDir> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "madoguchi-server-test-"));
  // DNS at an unreachable loopback port: a test server never asks the machine's resolver.
  const settings: Record<string, string> = {
    MADOGUCHI_DATA_DIR: dir,
    MADOGUCHI_DNS_SERVERS: "127.0.0.1:9",
    MADOGUCHI_ARGON2: TEST_ARGON2,
  };
  let dropDb = async () => {};
  if (driver === "pglite") settings.MADOGUCHI_PGLITE_TEMPLATE = await pgliteTemplateFile();
  if (driver === "postgres") {
    const db = await createTestDatabase("madoguchi_srv");
    settings.DATABASE_URL = db.url;
    dropDb = () => db.drop();
  }
  return {
    settings,
    dir,
    async remove() {
      await dropDb();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
