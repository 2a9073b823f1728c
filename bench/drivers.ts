import type { DriverName } from "@madoguchi/db/client";
import { postgresClient } from "@madoguchi/db/pg-url";

/** The PostgreSQL a benchmark uses: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local one. */
export function benchDatabaseUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres"
  );
}

async function postgresReachable(url: string): Promise<boolean> {
  const sql = postgresClient(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * PGlite always, PostgreSQL when reachable (BENCH_DRIVERS=postgres or =pglite narrows it). The
 * test harness creates each run's database next to TEST_DATABASE_URL, so it is pointed at the
 * benchmark's server.
 */
export async function benchDrivers(): Promise<DriverName[]> {
  const wanted = (process.env.BENCH_DRIVERS ?? "pglite,postgres").split(",");
  const url = benchDatabaseUrl();
  if (!wanted.includes("postgres")) return ["pglite"];
  if (!(await postgresReachable(url))) {
    console.log(`PostgreSQL at ${url} not reachable: PGlite only.`);
    return ["pglite"];
  }
  process.env.TEST_DATABASE_URL = url;
  return wanted.includes("pglite") ? ["pglite", "postgres"] : ["postgres"];
}
