import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The SPA as `npm start` serves it: built once if apps/web/dist is missing or stale. */
export function ensureWebBuilt(): void {
  const r = spawnSync(process.execPath, [path.join(root, "apps/web/scripts/ensure-built.mjs")], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`building apps/web failed:\n${r.stdout}\n${r.stderr}`);
}
