import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResolver, withAnswerCache } from "../src/resolver";
import { startTestDns, type TestDns } from "./support/dns-server";

describe("DNS answer cache for inbound verification", () => {
  let dns: TestDns;
  beforeAll(async () => {
    dns = await startTestDns();
    dns.zone.set("_dmarc.customer.example", { TXT: ["v=DMARC1; p=none"] });
  });
  afterAll(() => dns?.close());

  it("asks once per name and type while the answer is fresh, and hands out copies", async () => {
    const resolver = withAnswerCache(createResolver([dns.server]));
    const first = (await Promise.all(
      [1, 2, 3].map(() => resolver.raw("_dmarc.customer.example", "TXT")),
    )) as string[][][];
    expect(first[0]).toEqual([["v=DMARC1; p=none"]]);
    // A caller that changes its answer does not change the next caller's.
    first[0]?.[0]?.push("changed");
    expect(await resolver.raw("_DMARC.customer.example", "TXT")).toEqual([["v=DMARC1; p=none"]]);
    expect(await resolver.txt("_dmarc.customer.example")).toEqual(["v=DMARC1; p=none"]);
    expect(dns.asked.filter((q) => q === "TXT _dmarc.customer.example")).toHaveLength(2);
  });

  it("remembers that a name does not exist, and does not share one resolver's memory with another", async () => {
    const resolver = withAnswerCache(createResolver([dns.server]));
    for (let i = 0; i < 3; i++)
      await expect(resolver.raw("nothing.customer.example", "TXT")).rejects.toMatchObject({
        code: "ENOTFOUND",
      });
    expect(dns.asked.filter((q) => q === "TXT nothing.customer.example")).toHaveLength(1);
    await expect(
      withAnswerCache(createResolver([dns.server])).raw("nothing.customer.example", "TXT"),
    ).rejects.toMatchObject({ code: "ENOTFOUND" });
    expect(dns.asked.filter((q) => q === "TXT nothing.customer.example")).toHaveLength(2);
  });
});
