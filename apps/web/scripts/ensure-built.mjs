#!/usr/bin/env node
// `npm start` runs this first: builds the SPA into apps/web/dist when dist is missing or older
// than any of its sources, so a newcomer's `npm install && npm start` serves the real app.
// Up to date: exits at once without loading Vite.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const builtIndex = path.join(webDir, "dist", "index.html");
const sources = ["src", "index.html", "vite.config.ts", "package.json"].map((p) => path.join(webDir, p));
// The API's types and shared constants shape the bundle too.
sources.push(path.join(webDir, "..", "..", "packages", "api", "src", "realtime", "protocol.ts"));

/** Newest modification time under `p` (files and directories, bounded depth). */
function newest(p, depth = 0) {
  let stat;
  try {
    stat = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory() || depth > 8) return stat.mtimeMs;
  let max = stat.mtimeMs;
  for (const name of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, name), depth + 1));
  return max;
}

function builtAt() {
  try {
    return fs.statSync(builtIndex).mtimeMs;
  } catch {
    return 0;
  }
}

const built = builtAt();
const source = Math.max(...sources.map((s) => newest(s)));
if (built > 0 && built >= source && process.env.MADOGUCHI_REBUILD_WEB !== "1") process.exit(0);

console.log(
  built ? "Web app sources changed: rebuilding apps/web…" : "Building the web app (apps/web) once…",
);
const vite = path.join(webDir, "node_modules", "vite", "bin", "vite.js");
const hoisted = path.join(webDir, "..", "..", "node_modules", "vite", "bin", "vite.js");
const bin = fs.existsSync(vite) ? vite : hoisted;
if (!fs.existsSync(bin)) {
  console.error("Vite is not installed: run `npm install` at the repository root first.");
  process.exit(1);
}
// NODE_ENV from the caller (vitest sets "test") would give React's development build.
const env = { ...process.env, NODE_ENV: "production" };
const r = spawnSync(process.execPath, [bin, "build", "--logLevel", "warn"], {
  cwd: webDir,
  stdio: "inherit",
  env,
});
if (r.status !== 0) {
  console.error("Building the web app failed (see above).");
  process.exit(r.status ?? 1);
}
// vite writes index.html first; touch it so the next start sees a build newer than every source.
const now = new Date();
fs.utimesSync(builtIndex, now, now);
