import { addDomain } from "@madoguchi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { dnsCheck, dnsShow, reverseName, spfAuthorizes } from "../src/dns-records";
import { startTestDns, type TestDns } from "./support/dns-server";

const OPTIONS = { hostname: "mx.example.co.jp", publicIp: "127.0.0.1" };

describe.each(drivers)("dns show / check on %s", (driver) => {
  let env: TestEnv;
  let dns: TestDns;

  beforeAll(async () => {
    env = await createTestEnv(driver);
    await addDomain(env.ctx, "example.co.jp");
    dns = await startTestDns();
  });
  afterAll(async () => {
    await dns?.close();
    await env?.close();
  });

  it("lists the MX, A, SPF, DKIM and DMARC records, with a stable DKIM key", async () => {
    const shown = await dnsShow(env.ctx, "example.co.jp", OPTIONS);
    expect(shown.records.map((r) => r.kind)).toEqual(["mx", "a", "ptr", "spf", "dkim", "dmarc"]);
    expect(shown.records.map((r) => [r.type, r.name])).toEqual([
      ["MX", "example.co.jp"],
      ["A", "mx.example.co.jp"],
      ["PTR", "1.0.0.127.in-addr.arpa"],
      ["TXT", "example.co.jp"],
      ["TXT", expect.stringMatching(/^mdg\d{6}\._domainkey\.example\.co\.jp$/)],
      ["TXT", "_dmarc.example.co.jp"],
    ]);
    expect(shown.records[0]?.value).toBe("10 mx.example.co.jp.");
    expect(shown.records[2]?.value).toBe("mx.example.co.jp.");
    expect(shown.records[4]?.value).toMatch(/^v=DKIM1; k=rsa; p=MII[A-Za-z0-9+/=]{300,}$/);
    expect(shown.text).toContain("_dmarc.example.co.jp");
    const again = await dnsShow(env.ctx, "example.co.jp", OPTIONS);
    expect(again.records[4]?.value).toBe(shown.records[4]?.value);
    // Without the server's public address there is no reverse name to give.
    const noIp = await dnsShow(env.ctx, "example.co.jp", { hostname: OPTIONS.hostname });
    expect(noIp.records.map((r) => r.kind)).toEqual(["mx", "a", "spf", "dkim", "dmarc"]);
    await expect(dnsShow(env.ctx, "other.example", OPTIONS)).rejects.toThrow(/not served here/);
  });

  it("says which records are missing, wrong, or right", async () => {
    const shown = await dnsShow(env.ctx, "example.co.jp", OPTIONS);
    const empty = await dnsCheck(env.ctx, "example.co.jp", { ...OPTIONS, dnsServers: [dns.server] });
    expect(empty.ok).toBe(false);
    expect(empty.items.map((i) => i.status)).toEqual(Array(6).fill("missing"));
    expect(empty.items.every((i) => i.problem === "missing")).toBe(true);

    dns.zone.set("example.co.jp", {
      MX: [{ exchange: "mail.elsewhere.example", priority: 10 }],
      TXT: ["v=spf1 include:_spf.elsewhere.example -all", "google-site-verification=abc"],
    });
    dns.zone.set("mx.example.co.jp", { A: ["127.0.0.9"] });
    dns.zone.set("1.0.0.127.in-addr.arpa", { PTR: ["localhost"] });
    const dkim = shown.records[4];
    dns.zone.set(dkim?.name ?? "", { TXT: ["v=DKIM1; k=rsa; p=AAAAwrongkey"] });
    const wrong = await dnsCheck(env.ctx, "example.co.jp", { ...OPTIONS, dnsServers: [dns.server] });
    expect(wrong.items.map((i) => i.status)).toEqual([
      "wrong",
      "wrong",
      "wrong",
      "wrong",
      "wrong",
      "missing",
    ]);
    expect(wrong.items.map((i) => i.problem)).toEqual([
      "mx-elsewhere",
      "a-address",
      "ptr-elsewhere",
      "spf-not-authorized",
      "dkim-key",
      "missing",
    ]);
    expect(wrong.text).toMatch(/WRONG {3}MX/);
    dns.zone.set("example.co.jp", {
      ...dns.zone.get("example.co.jp"),
      TXT: ["v=spf1 mx ~all", "v=spf1 include:_spf.elsewhere.example -all"],
    });
    const twice = await dnsCheck(env.ctx, "example.co.jp", { ...OPTIONS, dnsServers: [dns.server] });
    expect(twice.items.find((i) => i.kind === "spf")).toMatchObject({ status: "wrong", problem: "several" });

    for (const r of shown.records) {
      const entry = dns.zone.get(r.name) ?? {};
      if (r.type === "MX") entry.MX = [{ exchange: "mx.example.co.jp", priority: 10 }];
      if (r.type === "A") entry.A = ["127.0.0.1"];
      if (r.type === "PTR") entry.PTR = ["mx.example.co.jp"];
      if (r.type === "TXT")
        entry.TXT = [r.value, ...(r.name === "example.co.jp" ? ["google-site-verification=abc"] : [])];
      dns.zone.set(r.name, entry);
    }
    const right = await dnsCheck(env.ctx, "example.co.jp", { ...OPTIONS, dnsServers: [dns.server] });
    expect(right.items.map((i) => i.status)).toEqual(Array(6).fill("ok"));
    expect(right.items.every((i) => i.problem === null)).toBe(true);
    expect(right.ok).toBe(true);
    expect(right.text).toContain("all records are right");
  });

  it("gives an IPv6 server an AAAA record and its PTR under ip6.arpa", async () => {
    const v6 = { hostname: "mx6.example.co.jp", publicIp: "2001:0db8::25" };
    const shown = await dnsShow(env.ctx, "example.co.jp", v6);
    expect(shown.records.slice(0, 3).map((r) => [r.type, r.name, r.value])).toEqual([
      ["MX", "example.co.jp", "10 mx6.example.co.jp."],
      ["AAAA", "mx6.example.co.jp", "2001:0db8::25"],
      ["PTR", reverseName("2001:db8::25"), "mx6.example.co.jp."],
    ]);
    dns.zone.set("example.co.jp", { MX: [{ exchange: "mx6.example.co.jp", priority: 10 }] });
    dns.zone.set("mx6.example.co.jp", { AAAA: ["2001:db8::25"] });
    dns.zone.set(reverseName("2001:db8::25"), { PTR: ["mx6.example.co.jp"] });
    const checked = await dnsCheck(env.ctx, "example.co.jp", { ...v6, dnsServers: [dns.server] });
    expect(checked.items.slice(0, 3).map((i) => [i.kind, i.status])).toEqual([
      ["mx", "ok"],
      ["a", "ok"],
      ["ptr", "ok"],
    ]);
    // An SPF record naming the IPv6 address (or its network) authorizes the server.
    const spfOf = async (txt: string) => {
      dns.zone.set("example.co.jp", { ...dns.zone.get("example.co.jp"), TXT: [txt] });
      const c = await dnsCheck(env.ctx, "example.co.jp", { ...v6, dnsServers: [dns.server] });
      return c.items.find((i) => i.kind === "spf")?.problem;
    };
    expect(await spfOf("v=spf1 ip6:2001:db8::25 -all")).toBeNull();
    expect(await spfOf("v=spf1 ip6:2001:db8::/32 -all")).toBeNull();
    expect(await spfOf("v=spf1 ip6:2001:db8::26 -all")).toBe("spf-not-authorized");
  });
});

describe("spfAuthorizes", () => {
  const v4 = { domain: "example.co.jp", host: "mx.example.co.jp", publicIp: "192.0.2.25" };
  type Server = Parameters<typeof spfAuthorizes>[1];
  const yes = (record: string, server: Server = v4) => expect(spfAuthorizes(record, server)).toBe(true);
  const no = (record: string, server: Server = v4) => expect(spfAuthorizes(record, server)).toBe(false);

  it("finds this server in mx, a, a:<host> and ip4/ip6 networks", () => {
    yes("v=spf1 mx -all");
    yes("v=spf1 +mx ~all");
    yes("v=spf1 mx:example.co.jp -all");
    yes("v=spf1 a -all");
    yes("v=spf1 a:MX.example.co.jp. -all");
    yes("v=spf1 include:_spf.google.com ip4:192.0.2.25 -all");
    yes("v=spf1 ip4:192.0.2.0/24 -all");
    yes("v=spf1 ip6:2001:db8::/32 -all", { ...v4, publicIp: "2001:0db8:0:0::25" });
    yes("v=spf1 ip6:2001:DB8::25 -all", { ...v4, publicIp: "2001:db8::25" });
  });

  it("does not count a near match, another host, or a failing qualifier", () => {
    no("v=spf1 ip4:192.0.2.250 -all");
    no("v=spf1 ip4:192.0.3.0/24 -all");
    no("v=spf1 ip4:192.0.2.25 -all", { ...v4, publicIp: "2001:db8::25" });
    no("v=spf1 ip6:2001:db8::26 -all", { ...v4, publicIp: "2001:db8::25" });
    no("v=spf1 ip4:192.0.2.25 -all", { domain: v4.domain, host: v4.host });
    no("v=spf1 a:mail.elsewhere.example mx:elsewhere.example -all");
    no("v=spf1 -mx ~a ?ip4:192.0.2.25 -all");
    no("v=spf1 include:_spf.elsewhere.example -all");
  });
});

describe("reverseName", () => {
  it("names the PTR record of an IPv4 or IPv6 address", () => {
    expect(reverseName("192.0.2.25")).toBe("25.2.0.192.in-addr.arpa");
    const v6 = "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
    expect(reverseName("2001:db8::25")).toBe(v6);
    expect(reverseName("2001:0db8:0:0:0:0:0:25")).toBe(v6);
    expect(reverseName("::ffff:192.0.2.25")).toBe(
      "9.1.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
    );
  });
});
