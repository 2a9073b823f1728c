import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql as statement } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type postgres from "postgres";
import { postgresClient } from "./pg-url";
import * as schema from "./schema/index";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Anything a query can run on: the database or an open transaction. */
export type Queryable = Db | Tx;

export type DriverName = "pglite" | "postgres";

/**
 * Lets PostgreSQL reuse its plans for the rest of this transaction (plan_cache_mode auto, its
 * default: a generic plan once five runs of a statement show it costs no more than planning for
 * the values) instead of the connection's force_custom_plan (openDb). For the delivery
 * transaction, whose statements are the same every time and run under the inbox lock: planning
 * them was a fifth of PostgreSQL's CPU per message (perf: GetCachedPlan, get_relation_info for
 * the messages table's nine indexes). Sent first with the transaction's first statements, it
 * costs no round trip of its own.
 */
export function reusePlans(tx: Tx): Promise<unknown> {
  return tx.execute(statement`set local plan_cache_mode = auto`);
}

export interface DbHandle {
  db: Db;
  driver: DriverName;
  /** The PostgreSQL URL, when driver is postgres. */
  url?: string;
  /**
   * LISTEN on a channel; NOTIFYs from any process (or this one) arrive after their commit.
   * `onRelisten` runs when the listening connection was lost and LISTENs again: whatever was
   * notified in between is gone.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onRelisten?: () => void,
  ): Promise<() => Promise<void>>;
  /** The embedded database as a PGlite dump (dumpDataDir), e.g. to start others from it. */
  dumpPglite(): Promise<Blob>;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** postgres:// URL; when absent, PGlite is used. */
  url?: string;
  /** PGlite data directory; absent = in memory (tests). */
  pgliteDir?: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  /**
   * A PGlite dump file (pgliteTemplateFile) a NEW embedded database starts as, instead of
   * initdb; a data directory that already holds a database ignores it.
   */
  pgliteTemplate?: string;
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
 * corrupt it, so the directory is claimed with a pid file. The file appears atomically with
 * its content (written aside, then hard-linked into place), and a stale one (dead pid, e.g.
 * after kill -9) is taken over by a rename that only one contender can win.
 */
function lockPgliteDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const lockPath = path.join(dir, "madoguchi.lock");
  const mine = `${lockPath}.${process.pid}`;
  fs.writeFileSync(mine, String(process.pid));
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.linkSync(mine, lockPath);
        return () => {
          try {
            if (fs.readFileSync(lockPath, "utf8") === String(process.pid)) fs.unlinkSync(lockPath);
          } catch {
            // already gone
          }
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      let holder = Number.NaN;
      try {
        holder = Number.parseInt(fs.readFileSync(lockPath, "utf8"), 10);
      } catch {
        continue; // removed meanwhile: try again
      }
      if (!Number.isFinite(holder) || isAlive(holder)) {
        throw new DatabaseLockedError(dir, holder);
      }
      try {
        fs.renameSync(lockPath, `${lockPath}.stale-${process.pid}`);
        fs.unlinkSync(`${lockPath}.stale-${process.pid}`);
      } catch {
        // another process took it over first; loop and look again
      }
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
  throw new Error(`Could not lock ${dir}`);
}

/**
 * drizzle asks postgres.js not to prepare statements, and for an unprepared statement with
 * parameters postgres.js first asks the server for their types (Parse/Describe, wait,
 * Bind/Execute): two round trips for every statement, and statements sent together stop being
 * pipelined, since the connection waits for each description. Named prepared statements
 * (postgres.js' own default) are described once per connection and text, then take one round
 * trip and pipeline. postgres.js retires connections after max_lifetime, with their statements.
 */
function preparing<T extends postgres.Sql | postgres.TransactionSql>(sql: T): T {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop === "unsafe")
        return (query: string, params?: unknown[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, params as postgres.ParameterOrJSON<never>[], { ...options, prepare: true });
      if (prop === "begin" || prop === "savepoint")
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: postgres.TransactionSql) => unknown;
          const open = Reflect.get(target, prop, target) as (...a: unknown[]) => unknown;
          return open(...args, (tx: postgres.TransactionSql) => fn(preparing(tx)));
        };
      return Reflect.get(target, prop, receiver);
    },
  });
}

/** The template to load: only into a database that does not exist yet. */
function startingDump(options: OpenDbOptions): Blob | undefined {
  if (!options.pgliteTemplate) return undefined;
  if (options.pgliteDir && fs.existsSync(path.join(options.pgliteDir, "PG_VERSION"))) return undefined;
  return new Blob([fs.readFileSync(options.pgliteTemplate)]);
}

export async function openDb(options: OpenDbOptions = {}): Promise<DbHandle> {
  if (options.url) {
    const sql = postgresClient(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      // Every query here is a short OLTP one. Past jit_above_cost (a row set of unknown size, a
      // few subqueries) PostgreSQL spends ~45 ms compiling a plan that runs in ~1 ms.
      // Prepared statements (preparing() below) are planned for their values at every run, as
      // unnamed ones were: a generic plan knows neither the inbox nor the search term, and took
      // a 1-2 character search from its grams index to a 250 ms scan. The delivery transaction,
      // the same statements every time, opts out (reusePlans).
      connection: { jit: "off", plan_cache_mode: "force_custom_plan" },
    });
    const db = drizzlePostgres({ client: preparing(sql), schema, casing: "snake_case" }) as unknown as Db;
    return {
      db,
      driver: "postgres",
      url: options.url,
      async listen(channel, onPayload, onRelisten) {
        // postgres.js reconnects a lost LISTEN connection itself and calls this at every LISTEN.
        let listened = false;
        const { unlisten } = await sql.listen(
          channel,
          (payload) => onPayload(payload),
          () => {
            if (listened) onRelisten?.();
            listened = true;
          },
        );
        return unlisten;
      },
      dumpPglite: () => Promise.reject(new Error("dumpPglite: not an embedded database")),
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const unlock = options.pgliteDir ? lockPgliteDir(options.pgliteDir) : () => {};
  try {
    const client = await PGlite.create({
      dataDir: options.pgliteDir,
      loadDataDir: startingDump(options),
    });
    const db = drizzlePglite({ client, schema, casing: "snake_case" }) as unknown as Db;
    return {
      db,
      driver: "pglite",
      async listen(channel, onPayload) {
        const unlisten = await client.listen(channel, onPayload);
        return () => unlisten();
      },
      dumpPglite: () => client.dumpDataDir("none"),
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
