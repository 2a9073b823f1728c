import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LoadMessage, LoadParams } from "./smtp-load-child";

const CHILD = fileURLToPath(new URL("./smtp-load-child.ts", import.meta.url));

export type LoadResult = Extract<LoadMessage, { type: "done" }>;

/** Runs the load generator in its own process and resolves with its result. */
export function runLoad(params: LoadParams, onProgress?: (acked: number) => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [JSON.stringify(params)], { execArgv: ["--import", "tsx"] });
    let result: LoadResult | null = null;
    // The child bounds itself by time; this only catches a hung child.
    const killer = setTimeout(() => child.kill("SIGKILL"), params.timeBudgetMs + 60_000);
    child.on("message", (m: LoadMessage) => {
      if (m.type === "progress") onProgress?.(m.acked);
      else result = m;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(killer);
      if (result) resolve(result);
      else reject(new Error(`load generator exited with ${code} and no result`));
    });
  });
}
