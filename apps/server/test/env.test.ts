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
