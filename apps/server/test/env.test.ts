import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/env";

const base = { MADOGUCHI_DATA_DIR: "/tmp/madoguchi-env-test", MADOGUCHI_HOSTNAME: "mail.example.co.jp" };

describe("SMTP settings from the environment", () => {
  it("reads the ingest worker threads, 0 meaning the main thread, and leaves the default alone", () => {
    expect(loadConfig({ ...base, MADOGUCHI_INGEST_WORKERS: "3" }).smtp?.ingestWorkers).toBe(3);
    expect(loadConfig({ ...base, MADOGUCHI_INGEST_WORKERS: "0" }).smtp?.ingestWorkers).toBe(0);
    expect(loadConfig(base).smtp?.ingestWorkers).toBeUndefined();
  });

  it("refuses a value that is not a thread count, naming the variable", () => {
    for (const bad of ["many", "-1", "1.5", "100"])
      expect(() => loadConfig({ ...base, MADOGUCHI_INGEST_WORKERS: bad })).toThrow(
        /MADOGUCHI_INGEST_WORKERS/,
      );
  });
});

describe("DATABASE_URL", () => {
  it("takes PostgreSQL over TCP or over a local Unix-domain socket, libpq's forms", () => {
    for (const url of [
      "postgres://madoguchi:secret@db.example.co.jp:5432/madoguchi",
      "postgres://madoguchi@/madoguchi?host=/var/run/postgresql",
      "postgresql://madoguchi@%2Fvar%2Frun%2Fpostgresql/madoguchi",
    ])
      expect(loadConfig({ ...base, DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it("refuses what is not a PostgreSQL URL, naming the variable", () => {
    expect(() => loadConfig({ ...base, DATABASE_URL: "db.example.co.jp" })).toThrow(
      /DATABASE_URL.*not a URL/,
    );
    expect(() => loadConfig({ ...base, DATABASE_URL: "mysql://u@db/x" })).toThrow(
      /DATABASE_URL.*postgres:\/\//,
    );
  });
});
