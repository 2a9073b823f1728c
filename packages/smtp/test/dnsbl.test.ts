import { findInboxByAddress } from "@madoguchi/core";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAdmin, createTeam, mail, type Team } from "../../core/test/fixtures";
import { createTestEnv, type TestEnv } from "../../core/test/harness";
import { Dnsbl, parseDnsblZone, reversedAddress } from "../src/dnsbl";
import { createResolver } from "../src/resolver";
import { python, run, submissionAsAlice } from "./support/clients";
import { startTestDns, type TestDns } from "./support/dns-server";
import { type RunningSmtp, startTestSmtp } from "./support/smtp-env";
import { findStored, storedIn } from "./support/store";

const uid = () => Math.random().toString(36).slice(2, 10);
/** What the test list says about 127.0.0.1, the address every test client connects from. */
const REASON = "https://bl.example/lookup?ip=127.0.0.1";

/** bl.example lists 127.0.0.1 (answer 127.0.0.2, with a TXT reason); other.example lists nothing. */
async function blocklistDns(): Promise<TestDns> {
  const dns = await startTestDns();
  dns.zone.set("1.0.0.127.bl.example", { A: ["127.0.0.2"], TXT: [REASON] });
  // As Spamhaus answers a query that came through a public resolver: an error, not a listing.
  dns.zone.set("1.0.0.127.refused.example", { A: ["127.255.255.254"] });
  // As a resolver that answers every name with its own page: not a listing either.
  dns.zone.set("1.0.0.127.hijacked.example", { A: ["203.0.113.80"] });
  dns.zone.set("1.0.0.127.policy.example", { A: ["127.0.0.10"] });
  return dns;
}

describe("blocklist zones and names", () => {
  it("reverses IPv4 octets and IPv6 nibbles as RFC 5782 looks them up", () => {
    expect(reversedAddress("192.0.2.99")).toBe("99.2.0.192");
    expect(reversedAddress("::ffff:192.0.2.99")).toBe("99.2.0.192");
    expect(reversedAddress("2001:db8:1:2::abcd")).toBe(
      "d.c.b.a.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2",
    );
    expect(reversedAddress("2001:db8::192.0.2.1")).toBe(
      "1.0.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2",
    );
    expect(reversedAddress("not an address")).toBeNull();
  });

  it("counts answers in 127/8 by default, but not the lists' 127.255.255.x errors, and follows a pattern", () => {
    const plain = parseDnsblZone("zen.spamhaus.org");
    expect(plain.zone).toBe("zen.spamhaus.org");
    expect(["127.0.0.2", "127.0.0.11"].map(plain.counts)).toEqual([true, true]);
    expect(["127.255.255.254", "203.0.113.80"].map(plain.counts)).toEqual([false, false]);
    const ranged = parseDnsblZone("Zen.Spamhaus.org=127.0.0.[2..4;9]");
    expect(ranged.zone).toBe("zen.spamhaus.org");
    expect(["127.0.0.2", "127.0.0.4", "127.0.0.9"].map(ranged.counts)).toEqual([true, true, true]);
    expect(["127.0.0.5", "127.0.0.10", "127.0.1.2"].map(ranged.counts)).toEqual([false, false, false]);
    expect(parseDnsblZone("b.barracudacentral.org=127.0.0.2").counts("127.0.0.2")).toBe(true);
  });

  it("refuses what is not a zone or a pattern, with the text that was given", () => {
    for (const bad of [
      "",
      "spamhaus",
      "zen spamhaus.org",
      "a..b.org",
      "zen.spamhaus.org=127.0.0",
      "x.org=127.0.0.[2-4]",
    ])
      expect(() => parseDnsblZone(bad)).toThrow(/is not/);
  });
});

describe("looking an address up", () => {
  let dns: TestDns;
  beforeAll(async () => {
    dns = await blocklistDns();
  });
  afterAll(async () => {
    await dns?.close();
  });

  const lists = (zones: string[], server = dns.server, warn?: (message: string) => void) =>
    new Dnsbl({ zones, action: "reject" }, createResolver([server]), warn);

  it("finds a listed address with the list's answer and TXT reason, in the configured order", async () => {
    expect(await lists(["other.example", "bl.example"]).check("127.0.0.1")).toEqual({
      zone: "bl.example",
      answer: "127.0.0.2",
      reason: REASON,
    });
    expect(dns.asked).toContain("A 1.0.0.127.other.example");
    expect(await lists(["bl.example"]).check("127.0.0.5")).toBeNull();
  });

  it("lists nothing on a list's error answer, a hijacked answer, an answer outside the pattern, or no DNS", async () => {
    const warnings: string[] = [];
    const refusing = lists(["refused.example", "hijacked.example"], dns.server, (m) => warnings.push(m));
    expect(await refusing.check("127.0.0.1")).toBeNull();
    expect(await refusing.check("127.0.0.1")).toBeNull();
    // The operator hears once that this list checks nothing (as Spamhaus answers public resolvers).
    expect(warnings).toEqual([
      expect.stringMatching(/^DNS blocklist refused\.example answered 127\.255\.255\.254, an error/),
    ]);
    expect(await lists(["policy.example=127.0.0.[2..9]"]).check("127.0.0.1")).toBeNull();
    expect((await lists(["policy.example"]).check("127.0.0.1"))?.answer).toBe("127.0.0.10");
    // Nothing listens on the discard port: the list cannot be asked, and mail is not refused for it.
    expect(await lists(["bl.example"], "127.0.0.1:9").check("127.0.0.1")).toBeNull();
  });
});

describe("the MX with a blocklist", () => {
  let env: TestEnv;
  let team: Team;
  let dns: TestDns;
  let rejecting: RunningSmtp;
  let quarantining: RunningSmtp;

  beforeAll(async () => {
    env = await createTestEnv("pglite");
    team = await createTeam(env.ctx);
    await addAdmin(env.ctx);
    dns = await blocklistDns();
    rejecting = await startTestSmtp(env.ctx, env.dir, {
      dnsServers: [dns.server],
      dnsbl: { zones: ["other.example", "bl.example"], action: "reject" },
    });
    quarantining = await startTestSmtp(env.ctx, env.dir, {
      dnsServers: [dns.server],
      dnsbl: { zones: ["bl.example"], action: "quarantine" },
    });
  });
  afterAll(async () => {
    await rejecting?.close();
    await quarantining?.close();
    await dns?.close();
    await env?.close();
  });

  const send = (port: number, messageId: string, to = "info@example.co.jp") =>
    nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true }).sendMail({
      envelope: { from: "bulk@spam.example", to: [to] },
      raw: mail({ from: "bulk@spam.example", messageId, subject: "儲かる話" }),
    });

  it("refuses a listed client at RCPT TO with 554 5.7.1, naming the list and its reason, and stores nothing", async () => {
    const id = `${uid()}@spam.example`;
    const err = await send(rejecting.mxPort, id).catch((e) => e);
    expect(err.responseCode).toBe(554);
    expect(err.command).toBe("RCPT TO");
    expect(err.response).toBe(
      `554 5.7.1 Service unavailable; client host [127.0.0.1] blocked using bl.example; ${REASON}`,
    );
    expect(await findStored(env.ctx, team.info.id, id)).toBeUndefined();
  });

  it("still takes mail for postmaster from a listed client, who may be asking why", async () => {
    const id = `${uid()}@spam.example`;
    expect((await send(rejecting.mxPort, id, "postmaster@example.co.jp")).response).toMatch(/^250 /);
    const admin = await findInboxByAddress(env.ctx.db, "kanri@example.co.jp");
    expect(await findStored(env.ctx, admin?.id ?? -1, id)).toBeDefined();
  });

  it("is what swaks and Python's smtplib see too", async () => {
    const swaks = await run("swaks", [
      "--server",
      `127.0.0.1:${rejecting.mxPort}`,
      "--to",
      "info@example.co.jp",
      "--from",
      "swaks@spam.example",
    ]);
    expect(swaks.code).not.toBe(0);
    expect(swaks.stdout).toMatch(
      /<\*\* 554 5\.7\.1 Service unavailable; client host \[127\.0\.0\.1\] blocked using bl\.example/,
    );
    const py = await python(`
import smtplib
s = smtplib.SMTP("127.0.0.1", ${rejecting.mxPort}, timeout=10)
try:
    s.sendmail("py@spam.example", ["info@example.co.jp"], "Subject: hi\\r\\n\\r\\nhi\\r\\n")
except smtplib.SMTPRecipientsRefused as e:
    code, text = e.recipients["info@example.co.jp"]
    print("REFUSED", code, text.decode())
s.quit()
`);
    expect(py.stdout).toContain(
      `REFUSED 554 5.7.1 Service unavailable; client host [127.0.0.1] blocked using bl.example`,
    );
  });

  it("leaves submission alone: a signed-in user is not looked up", async () => {
    const info = await submissionAsAlice(rejecting.submissionPort).sendMail({
      envelope: { from: "alice@example.co.jp", to: ["customer@customer.example"] },
      raw: mail({
        from: "alice@example.co.jp",
        to: "customer@customer.example",
        messageId: `${uid()}@example.co.jp`,
      }),
    });
    expect(info.response).toMatch(/^250 /);
  });

  it("quarantines instead when so configured: accepted, stored in Junk with the listing", async () => {
    const id = `${uid()}@spam.example`;
    const info = await send(quarantining.mxPort, id);
    expect(info.response).toMatch(/^250 /);
    expect(await findStored(env.ctx, team.info.id, id)).toBeUndefined();
    const junk = await findStored(env.ctx, team.info.id, id, "Junk");
    expect(junk?.authResults).toMatchObject({
      dnsbl: { zone: "bl.example", answer: "127.0.0.2", reason: REASON },
    });
    expect((await storedIn(env.ctx, team.info.id, "Junk")).length).toBe(1);
  });
});
