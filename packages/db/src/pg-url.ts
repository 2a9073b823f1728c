import postgres from "postgres";

type ClientOptions = postgres.Options<Record<string, postgres.PostgresType>>;

/** `user@` right before the path: libpq's "no host here" (the host comes as ?host=). */
const EMPTY_HOST_AFTER_USER = /^(postgres(?:ql)?:\/\/[^/?#@]*@)(?=[/?#]|$)/i;

/**
 * A PostgreSQL URL as libpq (psql, pg_dump and nearly every other client) reads it, as a URL
 * object to edit. libpq allows `postgresql://user@/db?host=/var/run/postgresql`, with no host
 * before the path; the WHATWG parser does not, so the empty host is named localhost here
 * (?host= overrides it, as in libpq).
 */
export function parsePostgresUrl(url: string): URL {
  return new URL(url.replace(EMPTY_HOST_AFTER_USER, "$1localhost"));
}

/**
 * The Unix-domain socket a URL names, libpq's way: a host that is a directory, given as
 * ?host=/var/run/postgresql or percent-encoded in the host part (postgresql://%2Frun%2Fpostgresql/db).
 * Returns the URL without it, for postgres.js, which takes a socket only as its `path` option
 * and would send an unknown ?host= to the server as a setting.
 */
export function unixSocketOf(url: string): { url: string; path?: string } {
  const parsed = parsePostgresUrl(url);
  const host = parsed.searchParams.get("host") ?? decodeURIComponent(parsed.hostname);
  if (!host.startsWith("/")) return { url };
  const port = parsed.searchParams.get("port") || parsed.port || "5432";
  parsed.searchParams.delete("host");
  parsed.searchParams.delete("port");
  parsed.hostname = "localhost";
  parsed.port = "";
  return { url: parsed.toString(), path: `${host.replace(/\/+$/, "")}/.s.PGSQL.${port}` };
}

/**
 * A postgres.js client for a PostgreSQL URL, a Unix-domain socket included. Debian's PostgreSQL
 * lets a local user in over its socket (peer authentication) and asks for a password over TCP;
 * on a machine where the database runs beside the server, the socket is also the cheaper path.
 */
export function postgresClient(url: string, options: ClientOptions = {}): postgres.Sql {
  const { url: rest, path } = unixSocketOf(url);
  return postgres(rest, path ? { ...options, path } : options);
}
