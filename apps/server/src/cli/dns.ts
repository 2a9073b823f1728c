import type { Command } from "./command";

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

export const dnsCommands: Command[] = [show, check];
