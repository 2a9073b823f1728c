import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDns } from "../../../packages/smtp/test/support/dns-server";
import { cellWidth } from "../src/cli/table";
import { type DataDir, drivers, freshDataDir, runCli, runCliHere } from "./processes";

// The first two steps are real `node bin/madoguchi.mjs …` processes (tsx + database boot: a few
// seconds each, far more with tsx's cache cold); the others run the CLI's entry in this process
// (runCliHere), on the same data directory. The tests of a driver share it.
describe.each(drivers)("admin CLI on %s", (driver) => {
  let data: DataDir;
  const spawned = (...args: string[]) => runCli(args, data.settings);
  const cli = (...args: string[]) => runCliHere(args, data.settings);

  beforeAll(async () => {
    data = await freshDataDir(driver);
  });
  afterAll(async () => {
    await data?.remove();
  });

  it("adds a domain, refuses it twice, lists it", async () => {
    const added = await spawned("domain", "add", "Example.co.jp");
    expect(added).toMatchObject({ code: 0, stderr: "" });
    expect(added.stdout).toContain("Added domain example.co.jp");

    const again = await spawned("domain", "add", "example.co.jp");
    expect(again.code).toBe(1);
    expect(again.stderr).toBe("madoguchi: Domain example.co.jp already exists\n");

    const list = await cli("domain", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^DOMAIN\s+ADDED\nexample\.co\.jp\s+\d{4}-\d\d-\d\d\n$/);

    // The DKIM key was made with the domain: the records to publish are ready at once.
    const dns = await cli("dns", "show", "example.co.jp");
    expect(dns.code).toBe(0);
    expect(dns.stdout).toMatch(/^MX\s+example\.co\.jp\n\s+10 \S+\.\n/m);
    expect(dns.stdout).toMatch(/_domainkey\.example\.co\.jp\n\s+v=DKIM1; k=rsa; p=[A-Za-z0-9+/]{100,}/);
    expect(dns.stdout).toContain("v=spf1");
    expect(dns.stdout).toContain("v=DMARC1");
    const unknown = await cli("dns", "show", "other.example");
    expect(unknown.code).toBe(1);
  });

  it("refuses a user of an unknown domain or with a bad address, writing nothing", async () => {
    const unknownDomain = await cli(
      "user",
      "add",
      "sato@unknown.jp",
      "--name",
      "佐藤",
      "--password",
      "12345678",
    );
    expect(unknownDomain.code).toBe(1);
    expect(unknownDomain.stderr).toContain("madoguchi: Domain unknown.jp is not served here");
    expect(unknownDomain.stderr).toContain("madoguchi domain add unknown.jp");

    const badAddress = await cli(
      "user",
      "add",
      "sato at example.co.jp",
      "--name",
      "佐藤",
      "--password",
      "12345678",
    );
    expect(badAddress.code).toBe(1);
    expect(badAddress.stderr).toBe('madoguchi: "sato at example.co.jp" is not a valid email address\n');

    const list = await cli("user", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("No users yet");
  });

  it("adds users with their personal inboxes and lists them", async () => {
    const admin = await cli(
      "user",
      "add",
      "yamada@example.co.jp",
      "--name",
      "山田 花子",
      "--password",
      "correct horse",
      "--admin",
    );
    expect(admin).toMatchObject({ code: 0, stderr: "" });
    expect(admin.stdout).toContain("Added administrator yamada@example.co.jp (山田 花子)");

    const member = await cli(
      "user",
      "add",
      "Tanaka@example.co.jp",
      "--name",
      "田中",
      "--password",
      "battery staple",
    );
    expect(member.code).toBe(0);

    const list = await cli("user", "list");
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^EMAIL\s+NAME\s+ROLE\s+STATUS\s+ADDED$/);
    expect(lines[1]).toMatch(/^tanaka@example\.co\.jp\s+田中\s+member\s+active\s/);
    expect(lines[2]).toMatch(/^yamada@example\.co\.jp\s+山田 花子\s+admin\s+active\s/);
    // Columns line up in terminal cells: a kanji is two cells wide.
    const roleColumn = (line = "", role: string) => cellWidth(line.slice(0, line.indexOf(role)));
    expect(roleColumn(lines[1], "member")).toBe(roleColumn(lines[2], "admin"));
  });

  it("adds a shared inbox with members; an unknown member refuses the whole inbox", async () => {
    const info = await cli(
      "inbox",
      "add",
      "info@example.co.jp",
      "--name",
      "お問い合わせ",
      "--members",
      "yamada@example.co.jp",
    );
    expect(info).toMatchObject({ code: 0, stderr: "" });

    const sales = await cli(
      "inbox",
      "add",
      "sales@example.co.jp",
      "--name",
      "営業",
      "--members",
      "yamada@example.co.jp,nobody@example.co.jp",
    );
    expect(sales.code).toBe(1);
    expect(sales.stderr).toBe("madoguchi: No such user: nobody@example.co.jp\n");

    const list = await cli("inbox", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^info@example\.co\.jp\s+お問い合わせ\s+shared\s+yamada@example\.co\.jp\s+-$/m,
    );
    expect(list.stdout).toMatch(/^tanaka@example\.co\.jp\s+田中\s+personal\s+tanaka@example\.co\.jp\s+-$/m);
    expect(list.stdout).not.toContain("sales@");
  });

  it("adds and removes members in one step, and refuses unknown users", async () => {
    const change = await cli(
      "inbox",
      "members",
      "info@example.co.jp",
      "--add",
      "tanaka@example.co.jp",
      "--remove",
      "yamada@example.co.jp",
    );
    expect(change).toMatchObject({ code: 0, stderr: "" });
    expect(change.stdout).toBe("Members of info@example.co.jp: tanaka@example.co.jp\n");

    const unknown = await cli(
      "inbox",
      "members",
      "info@example.co.jp",
      "--add",
      "yamada@example.co.jp",
      "--remove",
      "ghost@example.co.jp",
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("madoguchi: No such user: ghost@example.co.jp\n");

    const list = await cli("inbox", "list", "--shared");
    expect(list.code).toBe(0);
    // The refused change added nobody.
    expect(list.stdout.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^ADDRESS\s+NAME\s+KIND\s+MEMBERS\s+ALIASES$/),
      expect.stringMatching(/^info@example\.co\.jp\s+お問い合わせ\s+shared\s+tanaka@example\.co\.jp\s+-$/),
    ]);
  });

  it("gives a shared inbox other addresses and takes them away; refuses a domain not served", async () => {
    const add = await cli("inbox", "aliases", "info@example.co.jp", "--add", "Otoiawase@example.co.jp");
    expect(add).toMatchObject({ code: 0, stderr: "" });
    expect(add.stdout).toBe("Aliases of info@example.co.jp: otoiawase@example.co.jp\n");

    const elsewhere = await cli("inbox", "aliases", "info@example.co.jp", "--add", "info@elsewhere.example");
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toBe(
      "madoguchi: Domain elsewhere.example is not served here; add it first (madoguchi domain add elsewhere.example)\n",
    );

    const list = await cli("inbox", "list", "--shared");
    expect(list.stdout.trimEnd().split("\n")[1]).toMatch(
      /^info@example\.co\.jp\s+お問い合わせ\s+shared\s+tanaka@example\.co\.jp\s+otoiawase@example\.co\.jp$/,
    );

    // The inbox may be named by its alias too.
    const removed = await cli(
      "inbox",
      "aliases",
      "otoiawase@example.co.jp",
      "--remove",
      "otoiawase@example.co.jp",
    );
    expect(removed).toMatchObject({ code: 0, stdout: "Aliases of info@example.co.jp: (none)\n" });
  });
});

describe("admin CLI command line", () => {
  // None of these reach the database, so they need no data directory. `madoguchi --help` and a
  // bare `madoguchi` are real processes (side by side); the rest run the CLI's entry here.
  const settings = { MADOGUCHI_DATA_DIR: "/nonexistent/madoguchi-never-created" };
  const here = (...args: string[]) => runCliHere(args, settings);

  it("answers --help, and refuses wrong command lines with exit code 2 and the usage", async () => {
    const [help, none] = await Promise.all([runCli(["--help"], settings), runCli([], settings)]);
    const addHelp = await here("inbox", "add", "--help");
    const unknown = await here("frobnicate");
    const missingName = await here("user", "add", "a@example.co.jp", "--password", "12345678");
    const extra = await here("domain", "add", "a.jp", "b.jp");
    const badOption = await here("domain", "list", "--verbose");
    expect(help.code).toBe(0);
    for (const command of [
      "start",
      "domain add",
      "user add",
      "inbox add",
      "inbox members",
      "inbox aliases",
      "inbox list",
    ]) {
      expect(help.stdout).toContain(`  ${command} `);
    }
    expect(addHelp.code).toBe(0);
    expect(addHelp.stdout).toContain(
      "usage: madoguchi inbox add <address> --name <name> [--members <email,…>]",
    );

    expect(none.code).toBe(2);
    expect(none.stderr).toContain("usage: madoguchi <command>");
    expect(unknown).toMatchObject({ code: 2, stdout: "" });
    expect(unknown.stderr).toContain('madoguchi: unknown command "frobnicate"');
    expect(missingName.code).toBe(2);
    expect(missingName.stderr).toBe(
      "madoguchi: --name is required\nusage: madoguchi user add <email> --name <name> --password <password> [--admin]\n",
    );
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('unexpected argument "b.jp"');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("--verbose");
  });

  it("names the variable when the configuration is invalid", async () => {
    const result = await runCli(["domain", "list"], { ...settings, HTTP_PORT: "80a" });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('madoguchi: HTTP_PORT: "80a" is not a port number (0-65535)\n');
  });

  it("dns blocklist: what each list says about an address, through the configured resolver", async () => {
    const dns = await startTestDns();
    try {
      dns.zone.set("2.0.0.127.bl.example", { A: ["127.0.0.2"], TXT: ["https://bl.example/q?ip=127.0.0.2"] });
      dns.zone.set("2.0.0.127.refused.example", { A: ["127.255.255.254"] });
      const env = {
        ...settings,
        MADOGUCHI_DNS_SERVERS: dns.server,
        MADOGUCHI_DNSBL: "bl.example,refused.example,quiet.example",
      };
      const test = await runCli(["dns", "blocklist", "127.0.0.2"], env);
      expect(test.code).toBe(1);
      expect(test.stdout.trimEnd().split("\n")).toEqual([
        expect.stringMatching(/^LIST\s+RESULT\s+DETAIL$/),
        expect.stringMatching(
          /^bl\.example\s+listed\s+127\.0\.0\.2 https:\/\/bl\.example\/q\?ip=127\.0\.0\.2$/,
        ),
        expect.stringMatching(
          /^refused\.example\s+list error\s+127\.255\.255\.254: the list refuses this resolver/,
        ),
        expect.stringMatching(/^quiet\.example\s+not listed\s*$/),
      ]);
      const clean = await runCliHere(["dns", "blocklist", "192.0.2.7", "--zones", "bl.example"], env);
      expect(clean.code).toBe(0);
      expect(clean.stdout).toMatch(/^bl\.example\s+not listed\s*$/m);
      // No DNS server answers on the discard port: the list could not be asked.
      const down = await runCliHere(["dns", "blocklist", "127.0.0.2"], {
        ...env,
        MADOGUCHI_DNS_SERVERS: "127.0.0.1:9",
      });
      expect(down.code).toBe(1);
      expect(down.stdout).toMatch(/^bl\.example\s+no answer\s+the lookup failed \(ECONNREFUSED\)/m);
      const notIp = await runCliHere(["dns", "blocklist", "mail.example"], env);
      expect(notIp.code).toBe(2);
      expect(notIp.stderr).toContain('madoguchi: "mail.example" is not an IP address');
      const none = await here("dns", "blocklist", "127.0.0.2");
      expect(none.code).toBe(2);
      expect(none.stderr).toContain("no blocklists: set MADOGUCHI_DNSBL or give --zones");
    } finally {
      await dns.close();
    }
  });
});
