import fs from "node:fs";
import { type CoreContext, setPasswordCost } from "@madoguchi/core";
import { type DbHandle, openDb } from "@madoguchi/db/client";
import { migrateDb } from "@madoguchi/db/migrate";
import { parsePostgresUrl, unixSocketOf } from "@madoguchi/db/pg-url";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import type { ServerConfig } from "./env";

export interface OpenCore {
  ctx: CoreContext;
  db: DbHandle;
  /** Human-readable: "PGlite in /srv/data/pglite" or "PostgreSQL at db:5432/madoguchi". */
  databaseLabel: string;
  /** Blobs moved to the store's current layout while opening it (0 but the first time). */
  blobsMoved: number;
  close(): Promise<void>;
}

/**
 * Creates the data directories, opens the database and brings its schema up to date. The
 * server and every CLI command go through here, so a fresh data directory works either way.
 * Throws DatabaseLockedError when another process holds the embedded database.
 */
export async function openCore(config: ServerConfig): Promise<OpenCore> {
  fs.mkdirSync(config.blobsDir, { recursive: true });
  if (config.passwordCost) setPasswordCost(config.passwordCost);
  const databaseLabel = config.databaseUrl
    ? `PostgreSQL at ${describeUrl(config.databaseUrl)}`
    : `PGlite in ${config.pgliteDir}`;
  const db = await openDb(
    config.databaseUrl
      ? { url: config.databaseUrl }
      : { pgliteDir: config.pgliteDir, pgliteTemplate: config.pgliteTemplate },
  );
  try {
    // postgres-js connects lazily: the migration is the first query, so connection errors land here.
    await migrateDb(db);
  } catch (err) {
    await db.close().catch(() => {});
    if (config.databaseUrl && isConnectionProblem(err)) {
      throw new DatabaseUnavailableError(
        `Cannot use the database (DATABASE_URL, ${databaseLabel}): ${(err as Error).message}`,
      );
    }
    throw err;
  }
  // After the database: a process the embedded database turns away (another one runs on this
  // data directory) must not move that one's blobs.
  let blobs: Awaited<ReturnType<typeof FsBlobStore.open>>;
  try {
    blobs = await FsBlobStore.open(config.blobsDir);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return {
    ctx: { db: db.db, blobs: blobs.store, sendLimitPerHour: config.sendLimitPerHour },
    db,
    databaseLabel,
    blobsMoved: blobs.moved,
    close: () => db.close(),
  };
}

/** The configured PostgreSQL cannot be reached or refuses us: an operator's problem, not a bug. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
]);

function isConnectionProblem(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code ?? "";
  // PostgresError codes: 28xxx invalid authorization, 3D000 no such database, 57P03 starting up.
  return NETWORK_CODES.has(code) || code.startsWith("28") || code === "3D000" || code === "57P03";
}

/** host:port/database or socket/database, never the password. */
function describeUrl(raw: string): string {
  const url = parsePostgresUrl(raw);
  return `${unixSocketOf(raw).path ?? url.host}${url.pathname}`;
}
