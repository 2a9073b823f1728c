import { mailboxes, users } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canAccessInbox } from "../src/authz";
import { addDomain } from "../src/directory/domains";
import {
  addSharedInbox,
  changeInboxMembers,
  findInboxByAddress,
  listInboxes,
} from "../src/directory/inboxes";
import { addUser, authenticate, listUsers } from "../src/directory/users";
import { isAppError } from "../src/errors";
import { DEFAULT_PASSWORD_COST, parsePasswordCost, setPasswordCost } from "../src/passwords";
import { createTestEnv, drivers, TEST_ARGON2, type TestEnv } from "./harness";

describe.each(drivers)("directory on %s", (driver) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv(driver);
  });
  afterAll(() => env.close());

  it("refuses a user of a domain we do not serve and writes nothing", async () => {
    const err = await addUser(env.ctx, {
      email: "x@nowhere.example",
      name: "X",
      password: "long enough",
    }).catch((e) => e);
    expect(isAppError(err, "INVALID_INPUT")).toBe(true);
    expect(err.message).toContain("nowhere.example");
    expect(await listUsers(env.ctx)).toEqual([]);
  });

  it("creates a user with a personal inbox and its standard folders", async () => {
    await addDomain(env.ctx, "Example.co.jp");
    const err = await addDomain(env.ctx, "example.co.jp").catch((e) => e);
    expect(isAppError(err, "CONFLICT")).toBe(true);
    const user = await addUser(env.ctx, {
      email: "Tanaka@example.co.jp",
      name: "田中",
      password: "long enough",
    });
    expect(user.email).toBe("tanaka@example.co.jp");
    expect(user).not.toHaveProperty("passwordHash");
    const inbox = await findInboxByAddress(env.ctx.db, "TANAKA@example.co.jp");
    expect(inbox?.kind).toBe("personal");
    const folders = await env.ctx.db
      .select()
      .from(mailboxes)
      .where(eq(mailboxes.inboxId, inbox?.id ?? -1));
    expect(folders.map((f) => f.specialUse).sort()).toEqual(
      ["\\Archive", "\\Drafts", "\\Inbox", "\\Junk", "\\Sent", "\\Trash"].sort(),
    );
    expect(await canAccessInbox(env.ctx.db, user.id, inbox?.id ?? -1)).toBe(true);
    const dup = await addUser(env.ctx, {
      email: "tanaka@EXAMPLE.co.jp",
      name: "田中",
      password: "long enough",
    }).catch((e) => e);
    expect(isAppError(dup, "CONFLICT")).toBe(true);
    expect(await authenticate(env.ctx, "tanaka@example.co.jp", "long enough")).toMatchObject({ id: user.id });
    expect(await authenticate(env.ctx, "tanaka@example.co.jp", "wrong password")).toBeNull();
    expect(await authenticate(env.ctx, "nobody@example.co.jp", "long enough")).toBeNull();
  });

  it("hashes passwords with argon2id at the default cost unless told otherwise; a stored hash keeps its own", async () => {
    const stored = async (email: string) =>
      (await env.ctx.db.select({ hash: users.passwordHash }).from(users).where(eq(users.email, email)))[0]
        ?.hash;
    setPasswordCost(DEFAULT_PASSWORD_COST);
    try {
      await addUser(env.ctx, { email: "strong@example.co.jp", name: "S", password: "long enough" });
    } finally {
      setPasswordCost(parsePasswordCost(TEST_ARGON2) ?? DEFAULT_PASSWORD_COST);
    }
    const costOf = (hash: string | undefined) =>
      parsePasswordCost(/^\$argon2id\$v=19\$([^$]+)\$/.exec(hash ?? "")?.[1] ?? "");
    expect(costOf(await stored("strong@example.co.jp"))).toEqual(DEFAULT_PASSWORD_COST);
    await addUser(env.ctx, { email: "cheap@example.co.jp", name: "C", password: "long enough" });
    expect(costOf(await stored("cheap@example.co.jp"))).toEqual(parsePasswordCost(TEST_ARGON2));
    // Each is checked at the cost it was made with, whatever the process's cost is now.
    expect(await authenticate(env.ctx, "strong@example.co.jp", "long enough")).not.toBeNull();
    expect(await authenticate(env.ctx, "strong@example.co.jp", "long enougH")).toBeNull();
    expect(await authenticate(env.ctx, "cheap@example.co.jp", "long enough")).not.toBeNull();
    expect(parsePasswordCost("m=19456,t=2,p=1")).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect(parsePasswordCost("m=65536,p=4,t=3")).toEqual(DEFAULT_PASSWORD_COST);
    for (const bad of [
      "m=4,t=1,p=1",
      "m=1024,t=0,p=1",
      "m=1024,t=1",
      "19456,2,1",
      "m=1024,t=1,p=0",
      "m=1,m=1024,t=1,p=1",
    ])
      expect(parsePasswordCost(bad)).toBeUndefined();
  });

  it("refuses bad addresses and short passwords", async () => {
    for (const email of ["no-at-sign", "a@b", "two@@example.co.jp", "sp ace@example.co.jp"]) {
      const err = await addUser(env.ctx, { email, name: "N", password: "long enough" }).catch((e) => e);
      expect(isAppError(err, "INVALID_INPUT"), email).toBe(true);
    }
    const err = await addUser(env.ctx, { email: "s@example.co.jp", name: "S", password: "short" }).catch(
      (e) => e,
    );
    expect(isAppError(err, "INVALID_INPUT")).toBe(true);
  });

  it("manages shared inbox members; an unknown member leaves no inbox behind", async () => {
    const bad = await addSharedInbox(env.ctx, {
      address: "sales@example.co.jp",
      name: "営業",
      memberEmails: ["tanaka@example.co.jp", "ghost@example.co.jp"],
    }).catch((e) => e);
    expect(isAppError(bad, "NOT_FOUND")).toBe(true);
    expect(await findInboxByAddress(env.ctx.db, "sales@example.co.jp")).toBeUndefined();

    const other = await addUser(env.ctx, {
      email: "ito@example.co.jp",
      name: "伊藤",
      password: "long enough",
    });
    const sales = await addSharedInbox(env.ctx, {
      address: "sales@example.co.jp",
      name: "営業",
      memberEmails: ["tanaka@example.co.jp"],
    });
    expect(await canAccessInbox(env.ctx.db, other.id, sales.id)).toBe(false);
    await changeInboxMembers(env.ctx, "sales@example.co.jp", {
      add: ["ito@example.co.jp"],
      remove: ["tanaka@example.co.jp"],
    });
    expect(await canAccessInbox(env.ctx.db, other.id, sales.id)).toBe(true);
    const listed = (await listInboxes(env.ctx, { kind: "shared" })).find((i) => i.id === sales.id);
    expect(listed?.members.map((m) => m.email)).toEqual(["ito@example.co.jp"]);
  });
});
