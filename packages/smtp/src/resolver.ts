import { Resolver } from "node:dns/promises";

/** Per query: wait this long for an answer, this many times, before reporting a temporary failure. */
const DNS_TIMEOUT_MS = 5000;
const DNS_TRIES = 2;

/**
 * The DNS every SMTP concern uses (MX routing, SPF/DKIM/DMARC, `dns check`), so one setting
 * (SmtpSettings.dnsServers) points all of it at another server: a loopback one in tests.
 */
export interface DnsResolver {
  mx(domain: string): Promise<{ exchange: string; priority: number }[]>;
  a(host: string): Promise<string[]>;
  aaaa(host: string): Promise<string[]>;
  /** TXT records, each joined from its character strings. */
  txt(name: string): Promise<string[]>;
  /** The shape mailauth wants: dns.resolve(name, rrtype). */
  raw(name: string, rrtype: string): Promise<unknown>;
}

export function createResolver(servers?: string[]): DnsResolver {
  const resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES });
  if (servers?.length) resolver.setServers(servers);
  return {
    mx: (domain) => resolver.resolveMx(domain),
    a: (host) => resolver.resolve4(host),
    aaaa: (host) => resolver.resolve6(host),
    txt: async (name) => (await resolver.resolveTxt(name)).map((chunks) => chunks.join("")),
    raw: (name, rrtype) => resolver.resolve(name, rrtype),
  };
}

/** "No such record / name": an answer, not a failure to get one. */
export function isNoData(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENODATA" || code === "ENOTFOUND";
}
