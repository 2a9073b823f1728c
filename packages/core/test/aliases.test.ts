import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addDomain,
  addSharedInbox,
  changeInboxAliases,
  findInboxByAddress,
  inboxForSender,
  listInboxes,
  lookupLocalAddress,
} from "../src";
import { createTeam, type Team } from "./fixtures";
import { createTestEnv, drivers, type TestEnv } from "./harness";

describe.each(drivers)("inbox aliases on %s", (driver) => {
  let env: TestEnv;
  let team: Team;

  beforeAll(async () => {
    env = await createTestEnv(driver);
    team = await createTeam(env.ctx);
    await addDomain(env.ctx, "example.jp");
  });
  afterAll(async () => {
    await env?.close();
  });

  it("gives an inbox more addresses, at any domain served here: mail to them finds it", async () => {
    const after = await changeInboxAliases(env.ctx, team.info.id, {
      add: ["Otoiawase@Example.co.jp", "info@example.jp"],
    });
    expect(after).toEqual(["info@example.jp", "otoiawase@example.co.jp"]);
    expect(await lookupLocalAddress(env.ctx.db, "OTOIAWASE@example.co.jp")).toEqual({
      domainServed: true,
      inboxId: team.info.id,
    });
    expect((await lookupLocalAddress(env.ctx.db, "info@example.jp")).inboxId).toBe(team.info.id);
    expect((await findInboxByAddress(env.ctx.db, "info@example.jp"))?.address).toBe("info@example.co.jp");
    const listed = (await listInboxes(env.ctx, { kind: "shared" })).find((i) => i.id === team.info.id);
    expect(listed?.aliases).toEqual(["info@example.jp", "otoiawase@example.co.jp"]);
  });

  it("lets the inbox's members send as an alias, and nobody else", async () => {
    expect((await inboxForSender(env.ctx.db, team.alice.id, "otoiawase@example.co.jp"))?.id).toBe(
      team.info.id,
    );
    expect(await inboxForSender(env.ctx.db, team.carol.id, "otoiawase@example.co.jp")).toBeUndefined();
  });

  it("refuses an address at a domain not served, or one an inbox or an alias already has, changing nothing", async () => {
    await expect(
      changeInboxAliases(env.ctx, team.info.id, { add: ["info@elsewhere.example"] }),
    ).rejects.toMatchObject({
      code: "INVALID_INPUT",
      details: { reason: "domain_not_served" },
    });
    for (const taken of ["alice@example.co.jp", "info@example.co.jp", "info@example.jp"])
      await expect(changeInboxAliases(env.ctx, team.info.id, { add: [taken] })).rejects.toMatchObject({
        code: "CONFLICT",
        details: { reason: "address_in_use" },
      });
    // All or nothing: the good one of the two is not kept either.
    await expect(
      changeInboxAliases(env.ctx, team.info.id, { add: ["sales@example.co.jp", "alice@example.co.jp"] }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await lookupLocalAddress(env.ctx.db, "sales@example.co.jp")).inboxId).toBeNull();
    // A new inbox cannot take an alias's address either.
    await expect(
      addSharedInbox(env.ctx, { address: "otoiawase@example.co.jp", name: "x" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("removes an alias (mail to it is unknown again), and says so when the inbox has no such alias", async () => {
    await expect(
      changeInboxAliases(env.ctx, team.info.id, { remove: ["nothere@example.co.jp"] }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await changeInboxAliases(env.ctx, team.info.id, { remove: ["INFO@example.jp"] })).toEqual([
      "otoiawase@example.co.jp",
    ]);
    expect(await lookupLocalAddress(env.ctx.db, "info@example.jp")).toEqual({
      domainServed: true,
      inboxId: null,
    });
    // Moving an address from one inbox to another in two steps works: it is free once removed.
    const sales = await addSharedInbox(env.ctx, { address: "sales@example.co.jp", name: "営業" });
    await changeInboxAliases(env.ctx, team.info.id, { remove: ["otoiawase@example.co.jp"] });
    expect(await changeInboxAliases(env.ctx, sales.id, { add: ["otoiawase@example.co.jp"] })).toEqual([
      "otoiawase@example.co.jp",
    ]);
    expect((await lookupLocalAddress(env.ctx.db, "otoiawase@example.co.jp")).inboxId).toBe(sales.id);
  });
});
