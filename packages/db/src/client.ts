import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything a query can run on: the database or an open transaction. */
export type Queryable = Db | Tx;

export type DriverName = "pglite" | "postgres";

export interface DbHandle {
  db: Db;
  driver: DriverName;
  /** The PostgreSQL URL, when driver is postgres. */
  url?: string;
  /** LISTEN on a channel; NOTIFYs from any process (or this one) arrive after their commit. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** postgres:// URL; when absent, PGlite is used. */
  url?: string;
  /** PGlite data directory; absent = in memory (tests). */
  pgliteDir?: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
}

export class DatabaseLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dir} is in use by process ${pid}. ` +
        "Stop that process first, or set DATABASE_URL to use PostgreSQL, which allows several processes.",
    );
    this.name = "DatabaseLockedError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite is a single-process database: a second process opening the same directory would
 * corrupt it, so the directory is claimed with a pid file. A stale file (dead pid, e.g. after
 * kill -9) is taken over.
 */
function lockPgliteDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const lockPath = path.join(dir, "madoguchi.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(lockPath, "utf8") === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number.parseInt(fs.readFileSync(lockPath, "utf8"), 10);
      if (Number.isFinite(pid) && pid !== process.pid && isAlive(pid))
        throw new DatabaseLockedError(dir, pid);
      fs.unlinkSync(lockPath);
    }
  }
  throw new Error(`Could not lock ${dir}`);
}

export async function openDb(options: OpenDbOptions = {}): Promise<DbHandle> {
  if (options.url) {
    const sql = postgres(options.url, { max: options.maxConnections ?? 10, onnotice: () => {} });
    const db = drizzlePostgres({ client: sql, schema, casing: "snake_case" }) as unknown as Db;
    return {
      db,
      driver: "postgres",
      url: options.url,
      async listen(channel, onPayload) {
        const { unlisten } = await sql.listen(channel, (payload) => onPayload(payload));
        return unlisten;
      },
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const unlock = options.pgliteDir ? lockPgliteDir(options.pgliteDir) : () => {};
  try {
    const client = options.pgliteDir ? await PGlite.create(options.pgliteDir) : await PGlite.create();
    const db = drizzlePglite({ client, schema, casing: "snake_case" }) as unknown as Db;
    return {
      db,
      driver: "pglite",
      async listen(channel, onPayload) {
        const unlisten = await client.listen(channel, onPayload);
        return () => unlisten();
      },
      close: async () => {
        await client.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}
