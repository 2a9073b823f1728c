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
  /** PTR records at a reverse name (25.2.0.192.in-addr.arpa): the host names of that address. */
  ptr(name: string): Promise<string[]>;
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
    // Asked of DNS, as the receivers that check it do (reverse() would read /etc/hosts first).
    ptr: (name) => resolver.resolvePtr(name),
    raw: (name, rrtype) => resolver.resolve(name, rrtype),
  };
}

/** How long an answer (or "no such record") is reused, and a failure to get one. */
export const DNS_ANSWER_CACHE_MS = 60_000;
export const DNS_FAILURE_CACHE_MS = 5_000;
/** Names remembered at most; past it the memory starts over. */
const DNS_CACHE_SIZE = 10_000;

/**
 * The resolver with its lookups remembered for a while, as a caching resolver next to an MTA
 * would: a busy MX asks for the same sender domains' SPF and DMARC records many times a second.
 * Concurrent lookups of one name share one query. Used where a record changing within a minute
 * does not matter (verifying inbound mail), not by `dns check`, which must see the record now.
 */
export function withAnswerCache(resolver: DnsResolver): DnsResolver {
  // A copy each time: a caller that changes its answer must not change the next one's.
  const copy = <T>(answer: Promise<T>): Promise<T> => answer.then(structuredClone);
  const cache = new Map<string, { answer: Promise<unknown>; until: number }>();
  const remembered = <T>(key: string, lookup: () => Promise<T>): Promise<T> => {
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.until > now) return copy(hit.answer as Promise<T>);
    if (cache.size >= DNS_CACHE_SIZE) cache.clear();
    const answer = lookup();
    const entry = { answer, until: Number.POSITIVE_INFINITY };
    cache.set(key, entry);
    answer.then(
      () => {
        entry.until = Date.now() + DNS_ANSWER_CACHE_MS;
      },
      (err: unknown) => {
        entry.until = Date.now() + (isNoData(err) ? DNS_ANSWER_CACHE_MS : DNS_FAILURE_CACHE_MS);
      },
    );
    return copy(answer);
  };
  return {
    mx: (domain) => remembered(`MX ${domain.toLowerCase()}`, () => resolver.mx(domain)),
    a: (host) => remembered(`A ${host.toLowerCase()}`, () => resolver.a(host)),
    aaaa: (host) => remembered(`AAAA ${host.toLowerCase()}`, () => resolver.aaaa(host)),
    txt: (name) => remembered(`TXT ${name.toLowerCase()}`, () => resolver.txt(name)),
    ptr: (name) => remembered(`PTR ${name.toLowerCase()}`, () => resolver.ptr(name)),
    raw: (name, rrtype) =>
      remembered(`raw ${rrtype} ${name.toLowerCase()}`, () => resolver.raw(name, rrtype)),
  };
}

/** "No such record / name": an answer, not a failure to get one. */
export function isNoData(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENODATA" || code === "ENOTFOUND";
}
