import { describe, expect, it } from "vitest";
import { checkRecipients, externalDomains, parseRecipients } from "../src/lib/recipients";

describe("parseRecipients", () => {
  it("accepts bare addresses, Name <addr>, and Japanese separators", () => {
    const r = parseRecipients(
      '山田 太郎 <yamada@example.co.jp>、 "Sato, Hanako" <sato@client.jp>; info@acme.com\nx@y.org',
    );
    expect(r.invalid).toEqual([]);
    expect(r.recipients).toEqual([
      { address: "yamada@example.co.jp", name: "山田 太郎" },
      { address: "sato@client.jp", name: "Sato, Hanako" },
      { address: "info@acme.com" },
      { address: "x@y.org" },
    ]);
  });

  it("reports what is not an address and drops duplicates", () => {
    const r = parseRecipients("a@b.jp, not-an-address, A@B.jp, foo@bar");
    expect(r.recipients).toEqual([{ address: "a@b.jp" }]);
    expect(r.invalid).toEqual(["not-an-address", "foo@bar"]);
  });
});

describe("checkRecipients", () => {
  it("marks recipients outside the team's domains as external, subdomains as internal", () => {
    const checks = checkRecipients(
      {
        to: [{ address: "customer@client.co.jp" }],
        cc: [{ address: "boss@example.co.jp" }, { address: "ops@mail.example.co.jp" }],
        bcc: [{ address: "spy@evil-example.co.jp" }],
      },
      ["example.co.jp"],
    );
    expect(checks.map((c) => [c.field, c.address, c.external])).toEqual([
      ["to", "customer@client.co.jp", true],
      ["cc", "boss@example.co.jp", false],
      ["cc", "ops@mail.example.co.jp", false],
      ["bcc", "spy@evil-example.co.jp", true],
    ]);
    expect(externalDomains(checks)).toEqual(["client.co.jp", "evil-example.co.jp"]);
  });

  it("compares domains case-insensitively", () => {
    const [c] = checkRecipients({ to: [{ address: "Info@Example.CO.JP" }], cc: [], bcc: [] }, [
      "example.co.jp",
    ]);
    expect(c?.external).toBe(false);
  });
});
