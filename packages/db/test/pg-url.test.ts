import fs from "node:fs";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createTestDatabase, drivers } from "../../core/test/harness";
import { openDb } from "../src/client";
import { migrateDb } from "../src/migrate";
import { parsePostgresUrl, unixSocketOf } from "../src/pg-url";

describe("PostgreSQL URLs as libpq reads them", () => {
  it("takes a Unix-domain socket from ?host=, from a percent-encoded host, with or without a host before the path", () => {
    expect(unixSocketOf("postgres://madoguchi@/mail?host=/var/run/postgresql")).toEqual({
      url: "postgres://madoguchi@localhost/mail",
      path: "/var/run/postgresql/.s.PGSQL.5432",
    });
    expect(
      unixSocketOf("postgresql://madoguchi:secret@%2Frun%2Fpostgresql:5433/mail?sslmode=disable"),
    ).toEqual({
      url: "postgresql://madoguchi:secret@localhost/mail?sslmode=disable",
      path: "/run/postgresql/.s.PGSQL.5433",
    });
    expect(unixSocketOf("postgres:///mail?host=/tmp/&port=6432")).toEqual({
      url: "postgres://localhost/mail",
      path: "/tmp/.s.PGSQL.6432",
    });
    // ?host= overrides the host part, as in libpq.
    expect(unixSocketOf("postgres://u@db.example/mail?host=/sock").path).toBe("/sock/.s.PGSQL.5432");
  });

  it("leaves a TCP URL as it is", () => {
    for (const url of [
      "postgres://postgres@127.0.0.1:5432/test",
      "postgresql://u:p@db.example.co.jp/mail?sslmode=require",
      "postgres://u@[::1]:5433/mail",
    ])
      expect(unixSocketOf(url)).toEqual({ url });
  });
});

/** The local server's socket, where PostgreSQL's packages put it; absent when it listens on TCP only. */
const PORT = process.env.TEST_DATABASE_URL
  ? parsePostgresUrl(process.env.TEST_DATABASE_URL).port || "5432"
  : "5432";
const SOCKET_DIR = ["/var/run/postgresql", "/tmp"].find((dir) => fs.existsSync(`${dir}/.s.PGSQL.${PORT}`));

describe.runIf(drivers.includes("postgres") && SOCKET_DIR)(
  "a PostgreSQL URL naming the server's Unix-domain socket",
  () => {
    it("migrates and serves the database over the socket, not TCP", async () => {
      const { url, drop } = await createTestDatabase("madoguchi_sock");
      const db = new URL(url);
      const socketUrl = `postgres://${db.username}@/${db.pathname.slice(1)}?host=${SOCKET_DIR}&port=${PORT}`;
      const handle = await openDb({ url: socketUrl });
      try {
        await migrateDb(handle);
        const result = await handle.db.execute(
          sql`select inet_server_addr() as addr, (select count(*)::int from domains) as domains`,
        );
        // inet_server_addr() is null on a Unix-domain socket connection.
        expect((result as unknown as { addr: string | null; domains: number }[])[0]).toEqual({
          addr: null,
          domains: 0,
        });
      } finally {
        await handle.close();
        await drop();
      }
    });
  },
);
