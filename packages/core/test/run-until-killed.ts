// The crash tests' one way to run a child process and kill -9 it at a chosen point: spawn
// `node --import tsx <script>`, count acknowledgements (lines the child prints, or replies the
// parent itself received from it), SIGKILL once enough have arrived, and hand back the list.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** How often killWhen is looked at besides on each acknowledgement. */
const KILL_CHECK_MS = 20;

/** The child as the parent's driver sees it. */
export interface KilledChildRun<T> {
  /** The child's first line that starts with READY ("READY 40123": its port, say). */
  readonly readyLine: string;
  /** Counts an acknowledgement the parent received itself (a 250 the child's server sent). */
  ack(item: T): void;
  /** True once kill -9 has been sent: a driver stops its traffic. */
  readonly killed: boolean;
}

export interface RunUntilKilledOptions<T> {
  /** The child's script, run from the repository root. */
  script: string;
  env: Record<string, string>;
  /** kill -9 once this many acknowledgements have been counted... */
  killAfter: number;
  /** ...and this holds as well (e.g. a delivery is mid-DATA); looked at every 20 ms. */
  killWhen?: (acks: readonly T[]) => boolean;
  /** An acknowledgement printed by the child on stdout ("OK 12 …"), or undefined for any other line. */
  parseLine?: (line: string) => T | undefined;
  /** Talks to the child once it printed READY (sends it mail, …); waited for before returning. */
  drive?: (run: KilledChildRun<T>) => Promise<void>;
  /** Bound in time: the child is killed then anyway and the run fails. */
  timeBoundMs: number;
}

/**
 * Runs the child until the kill condition holds, kills it with SIGKILL and resolves with every
 * acknowledgement counted (lines already in the pipe when the kill landed count too: the child
 * had finished that work). Rejects, with the child's stderr, when the child ends by itself, a
 * driver throws, or the time bound passes before the kill condition.
 */
export function runUntilKilled<T>(options: RunUntilKilledOptions<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", options.script], {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acks: T[] = [];
    let stderr = "";
    let stdout = "";
    let failure: Error | null = null;
    let killed = false;
    let readyLine = "";
    let driven: Promise<void> = Promise.resolve();

    const kill = () => {
      if (killed) return;
      killed = true;
      child.kill("SIGKILL");
    };
    const fail = (error: Error) => {
      failure ??= error;
      kill();
    };
    const check = () => {
      if (!killed && acks.length >= options.killAfter && (options.killWhen?.(acks) ?? true)) kill();
    };
    const run: KilledChildRun<T> = {
      get readyLine() {
        return readyLine;
      },
      ack(item) {
        acks.push(item);
        check();
      },
      get killed() {
        return killed;
      },
    };
    const poll = setInterval(check, KILL_CHECK_MS);
    const bound = setTimeout(
      () => fail(new Error(`time bound of ${options.timeBoundMs} ms passed with ${acks.length} acks`)),
      options.timeBoundMs,
    );

    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      for (let nl = stdout.indexOf("\n"); nl >= 0; nl = stdout.indexOf("\n")) {
        const line = stdout.slice(0, nl);
        stdout = stdout.slice(nl + 1);
        if (!readyLine && line.startsWith("READY")) {
          readyLine = line;
          if (options.drive) driven = options.drive(run).catch((err: Error) => fail(err));
        }
        const item = options.parseLine?.(line);
        if (item !== undefined) run.ack(item);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on("exit", (code, signal) => {
      clearInterval(poll);
      clearTimeout(bound);
      if (!killed || signal !== "SIGKILL")
        failure ??= new Error(`child ended by itself (code ${code}, signal ${signal})`);
      killed = true;
      // A driver stops once `killed` is set; its last replies are counted before resolving.
      void driven.then(() => {
        if (failure) reject(new Error(`${failure.message}\nchild stderr:\n${stderr}`));
        else resolve(acks);
      });
    });
  });
}
