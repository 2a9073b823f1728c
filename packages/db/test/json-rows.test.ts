import { asc } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { insertJsonRows } from "../src/json-rows";
import { domains } from "../src/schema/index";

describe.each(drivers)("insertJsonRows on %s", (driver) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv(driver);
  });
  afterAll(() => env?.close());

  it("inserts every row, a left-out field taking its column's default, a lone surrogate replaced", async () => {
    const fixed = new Date("2026-11-27T01:02:03.000Z");
    await insertJsonRows(env.ctx.db, domains, [
      { name: "one.example" },
      { name: "two.example", createdAt: fixed },
      { name: "bad\ud800name.example" },
    ]);
    // Rows of different shapes go in by separate statements, in no set order.
    const rows = await env.ctx.db.select().from(domains).orderBy(asc(domains.name));
    expect(rows.map((r) => r.name)).toEqual(["bad\ufffdname.example", "one.example", "two.example"]);
    expect(rows[2]?.createdAt.toISOString()).toBe(fixed.toISOString());
    expect(Math.abs((rows[1]?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(new Set(rows.map((r) => r.id)).size).toBe(3);
  });

  it("inserts again with statements built by an earlier call (same shapes, other values)", async () => {
    const fixed = new Date("2026-11-28T04:05:06.000Z");
    await insertJsonRows(env.ctx.db, domains, [
      { name: "three.example" },
      { name: "four.example", createdAt: fixed },
    ]);
    const rows = await env.ctx.db.select().from(domains).orderBy(asc(domains.name));
    expect(rows.map((r) => r.name)).toEqual([
      "bad\ufffdname.example",
      "four.example",
      "one.example",
      "three.example",
      "two.example",
    ]);
    expect(rows[1]?.createdAt.toISOString()).toBe(fixed.toISOString());
  });

  it("refuses a field that is not a column", async () => {
    await expect(
      insertJsonRows(env.ctx.db, domains, [{ name: "x.example", nope: 1 } as never]),
    ).rejects.toThrow(/nope is not a column/);
  });
});
