import { addDomain, ensureDkimKey, listDomains } from "@madoguchi/core";
import type { Command } from "./command";
import { formatDate, formatTable } from "./table";

const add: Command = {
  path: ["domain", "add"],
  usage: "domain add <domain>",
  summary: "Serve mail for a domain (needed before users or inboxes can use it)",
  help: ["Example:", "  npx madoguchi domain add example.co.jp"],
  positionals: 1,
  async run({ positionals: [name = ""], withCore }) {
    const domain = await withCore(async (ctx) => {
      const added = await addDomain(ctx, name);
      // The signing key exists from the start, so `dns show` can print its record at once.
      await ensureDkimKey(ctx, added.name);
      return added;
    });
    console.log(
      `Added domain ${domain.name}. Publish its DNS records: npx madoguchi dns show ${domain.name}`,
    );
    return 0;
  },
};

const list: Command = {
  path: ["domain", "list"],
  usage: "domain list",
  summary: "List the domains served here",
  positionals: 0,
  async run({ withCore }) {
    const domains = await withCore((ctx) => listDomains(ctx));
    if (!domains.length) {
      console.log("No domains yet. Add one: npx madoguchi domain add example.co.jp");
      return 0;
    }
    console.log(
      formatTable(
        ["DOMAIN", "ADDED"],
        domains.map((d) => [d.name, formatDate(d.createdAt)]),
      ),
    );
    return 0;
  },
};

export const domainCommands: Command[] = [add, list];
