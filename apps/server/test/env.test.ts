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

  it("reads DNS blocklists and their action, reject unless told otherwise", () => {
    expect(
      loadConfig({ ...base, MADOGUCHI_DNSBL: "zen.spamhaus.org=127.0.0.[2..11], bl.spamcop.net" }).smtp
        ?.dnsbl,
    ).toEqual({ zones: ["zen.spamhaus.org=127.0.0.[2..11]", "bl.spamcop.net"], action: "reject" });
    expect(
      loadConfig({ ...base, MADOGUCHI_DNSBL: "bl.spamcop.net", MADOGUCHI_DNSBL_ACTION: "quarantine" }).smtp
        ?.dnsbl?.action,
    ).toBe("quarantine");
    expect(loadConfig(base).smtp?.dnsbl).toBeUndefined();
  });

  it("refuses a blocklist that is not a zone, or an action it does not know, naming the variable", () => {
    expect(() => loadConfig({ ...base, MADOGUCHI_DNSBL: "zen.spamhaus.org=127.0.0" })).toThrow(
      /^MADOGUCHI_DNSBL: "127\.0\.0" in "zen\.spamhaus\.org=127\.0\.0" is not an answer pattern/,
    );
    expect(() => loadConfig({ ...base, MADOGUCHI_DNSBL: "spamhaus" })).toThrow(/MADOGUCHI_DNSBL: "spamhaus"/);
    expect(() =>
      loadConfig({ ...base, MADOGUCHI_DNSBL: "bl.spamcop.net", MADOGUCHI_DNSBL_ACTION: "drop" }),
    ).toThrow(/MADOGUCHI_DNSBL_ACTION: "drop" must be reject or quarantine/);
  });
});

describe("sending limit", () => {
  it("reads recipients per hour, 0 meaning no limit, and leaves the default to core when unset", () => {
    expect(loadConfig({ ...base, MADOGUCHI_SEND_LIMIT_PER_HOUR: "2000" }).sendLimitPerHour).toBe(2000);
    expect(loadConfig({ ...base, MADOGUCHI_SEND_LIMIT_PER_HOUR: "0" }).sendLimitPerHour).toBe(0);
    expect(loadConfig(base).sendLimitPerHour).toBeUndefined();
    expect(() => loadConfig({ ...base, MADOGUCHI_SEND_LIMIT_PER_HOUR: "lots" })).toThrow(
      /^MADOGUCHI_SEND_LIMIT_PER_HOUR: "lots" is not a whole number/,
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

  it("reads the argon2id cost of new password hashes in argon2's notation, refusing anything else", () => {
    expect(loadConfig({ ...base, MADOGUCHI_ARGON2: "m=19456,t=2,p=1" }).passwordCost).toEqual({
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    });
    expect(loadConfig(base).passwordCost).toBeUndefined();
    for (const bad of ["strong", "m=19456", "m=2,t=1,p=1"])
      expect(() => loadConfig({ ...base, MADOGUCHI_ARGON2: bad })).toThrow(/MADOGUCHI_ARGON2/);
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
