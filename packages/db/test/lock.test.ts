import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DatabaseLockedError, openDb } from "../src/client";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "madoguchi-lock-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("embedded database lock", () => {
  it("refuses a second opener, releases on close, and takes over a dead process's lock", async () => {
    const pgliteDir = path.join(dir, "pglite");
    const first = await openDb({ pgliteDir });
    const err = await openDb({ pgliteDir }).catch((e) => e);
    expect(err).toBeInstanceOf(DatabaseLockedError);
    expect(err.message).toContain(String(process.pid));
    await first.close();
    expect(fs.existsSync(path.join(pgliteDir, "madoguchi.lock"))).toBe(false);

    // A lock left by a process that no longer exists (kill -9) is stale.
    fs.writeFileSync(path.join(pgliteDir, "madoguchi.lock"), "2147483646");
    const again = await openDb({ pgliteDir });
    expect(fs.readFileSync(path.join(pgliteDir, "madoguchi.lock"), "utf8")).toBe(String(process.pid));
    await again.close();
    expect(fs.readdirSync(pgliteDir).filter((f) => f.startsWith("madoguchi.lock"))).toEqual([]);
  });
});
