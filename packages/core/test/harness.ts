import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type DbHandle, type DriverName, openDb } from "@madoguchi/db/client";
import { migrateDb } from "@madoguchi/db/migrate";
import { parsePostgresUrl, postgresClient } from "@madoguchi/db/pg-url";
import { pgliteTemplateFile } from "@madoguchi/db/template";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import type postgres from "postgres";
import type { CoreContext } from "../src/context";
import { parsePasswordCost, setPasswordCost } from "../src/passwords";

/**
 * argon2id at its cheapest for tests (MADOGUCHI_ARGON2 for a test's server and CLI processes):
 * at the default cost one hash or login takes 150-500 ms of a 2-core machine's CPU, and the
 * suite makes thousands. directory.test.ts checks the default cost itself.
 */
export const TEST_ARGON2 = "m=1024,t=1,p=1";
const testCost = parsePasswordCost(TEST_ARGON2);
if (testCost) setPasswordCost(testCost);

/** PGlite always; real PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export const drivers: DriverName[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

export interface TestEnv {
  ctx: CoreContext;
  dir: string;
  driver: DriverName;
  /** URL of the per-test database, for child processes (postgres only). */
  url?: string;
  /** PGlite data directory, when created with pgliteDir. */
  pgliteDir?: string;
  /** LISTEN through the current database handle. */
  listen: DbHandle["listen"];
  /** Closes the database connection only (files and database stay), e.g. to hand it to a child process. */
  closeDb(): Promise<void>;
  /** Opens the same database again after closeDb. */
  reopenDb(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A new, empty PostgreSQL database next to TEST_DATABASE_URL's, and the way to drop it again;
 * every test file (and every server a test starts) gets its own.
 */
export async function createTestDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("TEST_DATABASE_URL is not set");
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgresClient(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = parsePostgresUrl(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgresClient(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/**
 * A fresh, migrated database plus a temp blob directory. For PostgreSQL a new database is
 * created next to TEST_DATABASE_URL's and dropped afterwards, so test files never share state.
 */
/**
 * Kills every other session on `admin`'s database, as a restart or a failover would; returns
 * how many there were.
 */
export async function terminateBackends(admin: postgres.Sql): Promise<number> {
  const [row] = await admin`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()`;
  return row?.n ?? 0;
}

export async function createTestEnv(
  driver: DriverName,
  opts: { pgliteDir?: boolean } = {},
): Promise<TestEnv> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "madoguchi-test-"));
  let url: string | undefined;
  let dropDb = async () => {};
  if (driver === "postgres") ({ url, drop: dropDb } = await createTestDatabase("madoguchi_t"));
  const pgliteDir = opts.pgliteDir ? path.join(dir, "pglite") : undefined;
  const pgliteTemplate = driver === "pglite" ? await pgliteTemplateFile() : undefined;
  let handle = await openDb({ url, pgliteDir, pgliteTemplate });
  let open = true;
  await migrateDb(handle);
  const ctx: CoreContext = { db: handle.db, blobs: new FsBlobStore(path.join(dir, "blobs")) };
  return {
    ctx,
    dir,
    driver,
    url,
    pgliteDir,
    listen: (channel, onPayload, onRelisten) => handle.listen(channel, onPayload, onRelisten),
    async closeDb() {
      await handle.close();
      open = false;
    },
    async reopenDb() {
      handle = await openDb({ url, pgliteDir });
      open = true;
      ctx.db = handle.db;
    },
    async close() {
      if (open) await handle.close();
      await dropDb();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
