import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { openDb } from "./client";
import { migrateDb, migrationsFolder } from "./migrate";

/**
 * A new embedded database costs an initdb in WASM (2.5-5 s on a 2-core machine) plus every
 * migration; a copy of one made earlier loads in about half a second. The template is a
 * PGlite dump (dumpDataDir) of an empty, fully migrated database, kept under `dir` in a file
 * named by the PGlite version and the migrations' own bytes, so a new migration or PGlite
 * makes a new file rather than a stale copy. Several processes may ask at once: each writes
 * aside and renames into place, and any complete file is as good as another.
 */
export async function pgliteTemplateFile(dir = os.tmpdir()): Promise<string> {
  const file = path.join(dir, `madoguchi-pglite-${templateKey()}.tar`);
  if (fs.existsSync(file)) return file;
  const handle = await openDb();
  try {
    await migrateDb(handle);
    const dump = await handle.dumpPglite();
    const aside = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    fs.writeFileSync(aside, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(aside, file);
  } finally {
    await handle.close();
  }
  return file;
}

function templateKey(): string {
  const hash = createHash("sha256");
  // dist/index.cjs -> the package's own package.json (not among its exports).
  const pglite = path.resolve(
    path.dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite")),
    "..",
  );
  hash.update(fs.readFileSync(path.join(pglite, "package.json")));
  const names = fs.readdirSync(migrationsFolder).filter((n) => n.endsWith(".sql"));
  names.sort();
  for (const name of names) hash.update(name).update(fs.readFileSync(path.join(migrationsFolder, name)));
  hash.update(fs.readFileSync(path.join(migrationsFolder, "meta", "_journal.json")));
  return hash.digest("hex").slice(0, 16);
}
