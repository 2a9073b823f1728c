import { count, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { domains } from "../src/schema/index";

// db.transaction() as the code relies on it, on both drivers: all or nothing, unseen until
// COMMIT, a nested transaction a savepoint, and a failed statement fails the whole even when the
// callback catches it and goes on.
describe.each(drivers)("transactions on %s", (driver) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv(driver);
  });
  afterAll(() => env?.close());

  const named = async (pattern: string) =>
    (await env.ctx.db.select({ n: count() }).from(domains).where(like(domains.name, pattern)))[0]?.n;

  it("commits every statement together, unseen by others until COMMIT", async () => {
    await env.ctx.db.transaction(async (tx) => {
      await tx.insert(domains).values({ name: "a1.commit.example" });
      await tx.insert(domains).values({ name: "a2.commit.example" });
      // PGlite has one connection, and a second statement would wait for this transaction.
      if (driver === "postgres") expect(await named("%.commit.example")).toBe(0);
    });
    expect(await named("%.commit.example")).toBe(2);
  });

  it("rolls everything back when the callback throws, and passes its error on", async () => {
    const err = await env.ctx.db
      .transaction(async (tx) => {
        await tx.insert(domains).values({ name: "b1.throw.example" });
        throw new Error("changed my mind");
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe("changed my mind");
    expect(await named("%.throw.example")).toBe(0);
  });

  it("rolls back a nested transaction alone (savepoint), keeping the outer one's work", async () => {
    await env.ctx.db.transaction(async (tx) => {
      await tx.insert(domains).values({ name: "c1.nested.example" });
      await tx
        .transaction(async (inner) => {
          await inner.insert(domains).values({ name: "c2.nested.example" });
          throw new Error("inner only");
        })
        .catch(() => {});
      await tx.transaction(async (inner) => {
        await inner.insert(domains).values({ name: "c3.nested.example" });
      });
    });
    const rows = await env.ctx.db
      .select({ name: domains.name })
      .from(domains)
      .where(like(domains.name, "%.nested.example"));
    expect(rows.map((r) => r.name).sort()).toEqual(["c1.nested.example", "c3.nested.example"]);
  });

  it("stores nothing when a statement fails, even if the callback goes on", async () => {
    await env.ctx.db.insert(domains).values({ name: "taken.example" });
    const err = await env.ctx.db
      .transaction(async (tx) => {
        await tx.insert(domains).values({ name: "d1.failed.example" });
        await tx
          .insert(domains)
          .values({ name: "taken.example" })
          .catch(() => {});
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(await named("%.failed.example")).toBe(0);
  });

  it("runs concurrent transactions on the pool, each whole, and the pool stays usable after failures", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        env.ctx.db.transaction(async (tx) => {
          await tx.insert(domains).values({ name: `e${i}.first.many.example` });
          if (i % 3 === 0) throw new Error(`refused ${i}`);
          await tx.insert(domains).values({ name: `e${i}.second.many.example` });
        }),
      ),
    );
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(10);
    expect(await named("%.first.many.example")).toBe(20);
    expect(await named("%.second.many.example")).toBe(20);
  });
});
