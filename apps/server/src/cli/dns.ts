import { isIP } from "node:net";
import { type Command, listOption, UsageError } from "./command";
import { formatTable } from "./table";

/** The SMTP package (its DNS helper), loaded only by these commands: a second of imports. */
const loadSmtp = () => import("@madoguchi/smtp");

const show: Command = {
  path: ["dns", "show"],
  usage: "dns show <domain>",
  summary: "Print the DNS records to publish for a domain (MX, A, PTR, SPF, DKIM, DMARC)",
  help: [
    "Set MADOGUCHI_HOSTNAME (and MADOGUCHI_PUBLIC_IP) first: the records point at them. The PTR record",
    "(reverse DNS) is set where the address comes from, and is listed only when MADOGUCHI_PUBLIC_IP is set.",
  ],
  positionals: 1,
  async run({ positionals: [name = ""], withCore, config }) {
    const { dnsShow } = await loadSmtp();
    const result = await withCore((ctx) =>
      dnsShow(ctx, name, { hostname: config.hostname, publicIp: config.smtp.publicIp }),
    );
    console.log(result.text);
    return 0;
  },
};

const check: Command = {
  path: ["dns", "check"],
  usage: "dns check <domain>",
  summary: "Look the records up and say which are missing or wrong (exit 1 if any)",
  positionals: 1,
  async run({ positionals: [name = ""], withCore, config }) {
    const { dnsCheck } = await loadSmtp();
    const result = await withCore((ctx) =>
      dnsCheck(ctx, name, {
        hostname: config.hostname,
        publicIp: config.smtp.publicIp,
        dnsServers: config.smtp.dnsServers,
      }),
    );
    console.log(result.text);
    return result.ok ? 0 : 1;
  },
};

const blocklist: Command = {
  path: ["dns", "blocklist"],
  usage: "dns blocklist <ip address> [--zones <zone,…>]",
  summary:
    "Look an address up in the DNS blocklists the MX uses (exit 1 if listed, or if a list does not answer)",
  help: [
    "The lists are MADOGUCHI_DNSBL's, or those given with --zones. Every list names 127.0.0.2 and never",
    "127.0.0.1 (RFC 5782), so this checks that the lists answer through this server's resolver:",
    "  npx madoguchi dns blocklist 127.0.0.2",
  ],
  options: { zones: { type: "string", multiple: true } },
  positionals: 1,
  async run({ positionals: [ip = ""], values, config }) {
    const zones = listOption(values.zones);
    const lists = zones.length ? zones : (config.smtp.dnsbl?.zones ?? []);
    if (!lists.length) throw new UsageError("no blocklists: set MADOGUCHI_DNSBL or give --zones", blocklist);
    if (!isIP(ip)) throw new UsageError(`"${ip}" is not an IP address`, blocklist);
    const { Dnsbl, createResolver } = await loadSmtp();
    let dnsbl: InstanceType<typeof Dnsbl>;
    try {
      dnsbl = new Dnsbl({ zones: lists, action: "reject" }, createResolver(config.smtp.dnsServers));
    } catch (err) {
      throw new UsageError((err as Error).message, blocklist);
    }
    const reports = await dnsbl.report(ip);
    const rows = reports.map((r) => {
      if (r.listing)
        return [r.zone, "listed", [r.listing.answer, r.listing.reason].filter(Boolean).join(" ")];
      if (r.error)
        return [
          r.zone,
          "list error",
          `${r.error}: the list refuses this resolver and checks nothing (Spamhaus refuses public resolvers such as 8.8.8.8)`,
        ];
      if (r.failure)
        return [r.zone, "no answer", `the lookup failed (${r.failure}); mail is not refused for it`];
      return [r.zone, "not listed", r.answers.length ? `answered ${r.answers.join(", ")}, not counted` : ""];
    });
    console.log(formatTable(["LIST", "RESULT", "DETAIL"], rows));
    return reports.some((r) => r.listing || r.error || r.failure) ? 1 : 0;
  },
};

export const dnsCommands: Command[] = [show, check, blocklist];
