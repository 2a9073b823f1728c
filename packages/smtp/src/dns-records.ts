import { BlockList, isIP, isIPv6 } from "node:net";
import {
  AppError,
  type CoreContext,
  type DnsProblem,
  type DnsRecordStatus,
  type DomainDnsCheck,
  type DomainDnsRecord,
  ensureDkimKey,
  findDomain,
  normalizeDomain,
} from "@madoguchi/core";
import { createResolver, type DnsResolver, isNoData } from "./resolver";

/** A record to publish (the kind, type, name and value the admin page shows too), and what it is for. */
export interface DnsRecord extends DomainDnsRecord {
  purpose: string;
}

export interface DnsOptions {
  /** The server's host name: MX target and SPF/A subject. */
  hostname: string;
  /** The server's public IPv4 or IPv6 address, when known. */
  publicIp?: string;
}

export interface DnsShowResult {
  domain: string;
  records: DnsRecord[];
  /** Ready to print. */
  text: string;
}

const UNKNOWN_IP = "<this server's public IPv4 address>";

/**
 * The name a PTR record of an address lives at: 192.0.2.25 → 25.2.0.192.in-addr.arpa, and
 * 2001:db8::25 → its 32 hex digits, last first, under ip6.arpa (RFC 3596 §2.5).
 */
export function reverseName(ip: string): string {
  if (!isIPv6(ip)) return `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
  const groups = (part: string) =>
    part
      ? part.split(":").flatMap((g) => {
          if (!g.includes(".")) return [g];
          // An IPv4 tail (::ffff:192.0.2.25) is the last two groups.
          const [a = 0, b = 0, c = 0, d = 0] = g.split(".").map(Number);
          return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
        })
      : [];
  const [head = "", tail] = ip.split("::");
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  const digits = all.map((g) => g.padStart(4, "0")).join("");
  return `${[...digits].reverse().join(".")}.ip6.arpa`;
}

/** One address however it is written (2001:0db8::25 is 2001:db8::25). */
const sameAddress = (a: string, b: string) => {
  const canonical = (ip: string) => (isIPv6(ip) ? new URL(`http://[${ip}]/`).hostname : ip);
  return canonical(a) === canonical(b);
};

/**
 * Whether the SPF record of `domain` lets this server send: a pass-qualified
 * `mx` (the domain's MX, which must point here), `a` (taken on trust: the
 * domain's own address may be this server's) or `a:` naming this host, or
 * `ip4:`/`ip6:` whose network holds the public address. Other mechanisms
 * (include, exists) are not followed; such a record must also name this server.
 */
export function spfAuthorizes(
  record: string,
  server: { domain: string; host: string; publicIp?: string | undefined },
): boolean {
  const { domain, host, publicIp } = server;
  const family = publicIp ? isIP(publicIp) : 0;
  return record
    .trim()
    .split(/\s+/)
    .slice(1)
    .some((term) => {
      const m = /^\+?(a|mx|ip4|ip6)(?::([^/]+))?(?:\/(\d+))?(?:\/\/\d+)?$/i.exec(term);
      if (!m) return false;
      const [, mechanism = "", target, bits] = m;
      const kind = mechanism.toLowerCase();
      if (kind === "mx") return target === undefined || bare(target) === domain;
      if (kind === "a") return target === undefined || bare(target) === host;
      const ipFamily = kind === "ip4" ? 4 : 6;
      if (!publicIp || !target || family !== ipFamily || isIP(target) !== ipFamily) return false;
      const type = ipFamily === 4 ? "ipv4" : "ipv6";
      const prefix = bits === undefined ? (ipFamily === 4 ? 32 : 128) : Number(bits);
      if (prefix > (ipFamily === 4 ? 32 : 128)) return false;
      const net = new BlockList();
      net.addSubnet(target, prefix, type);
      return net.check(publicIp, type);
    });
}

/** The records to publish so the domain's mail comes here and ours is trusted elsewhere. */
export async function dnsShow(
  ctx: CoreContext,
  domainName: string,
  options: DnsOptions,
): Promise<DnsShowResult> {
  const domain = normalizeDomain(domainName);
  if (!(await findDomain(ctx.db, domain)))
    throw new AppError(
      "NOT_FOUND",
      `Domain ${domain} is not served here; add it first (madoguchi domain add ${domain})`,
    );
  const key = await ensureDkimKey(ctx, domain);
  const host = options.hostname.replace(/\.$/, "");
  const records: DnsRecord[] = [
    {
      kind: "mx",
      type: "MX",
      name: domain,
      value: `10 ${host}.`,
      purpose: "mail for the domain comes to this server",
    },
    {
      kind: "a",
      type: options.publicIp && isIPv6(options.publicIp) ? "AAAA" : "A",
      name: host,
      value: options.publicIp ?? UNKNOWN_IP,
      purpose: "the mail server's address",
    },
    ...(options.publicIp
      ? [
          {
            kind: "ptr" as const,
            type: "PTR" as const,
            name: reverseName(options.publicIp),
            value: `${host}.`,
            purpose:
              "reverse DNS of that address: receivers such as Gmail refuse or distrust mail from an address without one. Set it where the address comes from (the hosting provider or ISP), not in the domain's zone",
          },
        ]
      : []),
    {
      kind: "spf",
      type: "TXT",
      name: domain,
      value: "v=spf1 mx ~all",
      purpose: "SPF: this server may send the domain's mail",
    },
    {
      kind: "dkim",
      type: "TXT",
      name: `${key.selector}._domainkey.${domain}`,
      value: `v=DKIM1; k=rsa; p=${key.publicKey}`,
      purpose: "DKIM: the public key that verifies our signatures",
    },
    {
      kind: "dmarc",
      type: "TXT",
      name: `_dmarc.${domain}`,
      value: "v=DMARC1; p=quarantine; adkim=r; aspf=r",
      purpose: "DMARC: what receivers do with mail failing SPF and DKIM",
    },
  ];
  const text = [
    `DNS records to publish for ${domain}:`,
    "",
    ...records.flatMap((r) => [
      `${r.type.padEnd(4)} ${r.name}`,
      `     ${r.value}`,
      `     (${r.purpose})`,
      "",
    ]),
    "A DKIM value longer than 255 characters is split into several strings by most DNS providers;",
    `paste it whole. Check with: madoguchi dns check ${domain}`,
  ].join("\n");
  return { domain, records, text };
}

export type CheckStatus = DnsRecordStatus;
export type { DnsProblem };

export interface DnsCheckItem extends DnsRecord, DomainDnsCheck {
  /** The problem in English, for the command line. */
  advice: string;
}

export interface DnsCheckResult {
  domain: string;
  ok: boolean;
  items: DnsCheckItem[];
  text: string;
}

async function lookup(fn: () => Promise<string[]>): Promise<string[] | Error> {
  try {
    return await fn();
  } catch (err) {
    if (isNoData(err)) return [];
    return err as Error;
  }
}

const bare = (name: string) => name.toLowerCase().replace(/\.$/, "");

/** Looks the expected records up and says, for each, whether it is published and right. */
export async function dnsCheck(
  ctx: CoreContext,
  domainName: string,
  options: DnsOptions & { dnsServers?: string[]; resolver?: DnsResolver },
): Promise<DnsCheckResult> {
  const shown = await dnsShow(ctx, domainName, options);
  const resolver = options.resolver ?? createResolver(options.dnsServers);
  const host = bare(options.hostname);
  const items: DnsCheckItem[] = [];
  for (const record of shown.records) {
    const found = await lookup(async () => {
      if (record.type === "MX")
        return (await resolver.mx(record.name)).map((m) => `${m.priority} ${bare(m.exchange)}.`);
      if (record.type === "A") return resolver.a(record.name);
      if (record.type === "AAAA") return resolver.aaaa(record.name);
      if (record.type === "PTR") return resolver.ptr(record.name);
      return resolver.txt(record.name);
    });
    items.push({ ...record, ...judge(record, found, host, options.publicIp) });
  }
  const ok = items.every((i) => i.status === "ok");
  const text = [
    `DNS check for ${shown.domain}: ${ok ? "all records are right" : "some records need attention"}`,
    "",
    ...items.flatMap((i) => [
      `${i.status.toUpperCase().padEnd(8)}${i.type.padEnd(4)} ${i.name}`,
      ...(i.status === "ok"
        ? []
        : [
            `        expected: ${i.value}`,
            `        found:    ${i.found.join(" | ") || "(nothing)"}`,
            `        ${i.advice}`,
          ]),
    ]),
  ].join("\n");
  return { domain: shown.domain, ok, items, text };
}

function judge(
  record: DnsRecord,
  found: string[] | Error,
  host: string,
  publicIp: string | undefined,
): Pick<DnsCheckItem, "status" | "problem" | "found" | "advice"> {
  if (found instanceof Error)
    return {
      status: "error",
      problem: "lookup-failed",
      found: [],
      advice: `DNS lookup failed: ${found.message}`,
    };
  const ok = (values: string[]) => ({ status: "ok" as const, problem: null, found: values, advice: "" });
  const wrong = (problem: DnsProblem, values: string[], advice: string) => ({
    status: "wrong" as const,
    problem,
    found: values,
    advice,
  });
  const missing = {
    status: "missing" as const,
    problem: "missing" as const,
    found,
    advice: `Publish this ${record.type} record.`,
  };
  if (record.type === "MX") {
    if (!found.length) return missing;
    const ours = found.some((f) => bare(f.split(" ")[1] ?? "") === host);
    return ours
      ? ok(found)
      : wrong("mx-elsewhere", found, `No MX points at ${host}; mail for the domain goes elsewhere.`);
  }
  if (record.type === "PTR") {
    if (!found.length) return missing;
    return found.some((f) => bare(f) === host)
      ? ok(found)
      : wrong("ptr-elsewhere", found, `The address's reverse DNS does not name ${host}.`);
  }
  if (record.type === "A" || record.type === "AAAA") {
    if (!found.length) return missing;
    if (publicIp && !found.some((f) => sameAddress(f, publicIp)))
      return wrong("a-address", found, `${record.name} should resolve to ${publicIp}.`);
    return ok(found);
  }
  const prefix = record.value.split(";")[0]?.split(" ")[0] ?? "";
  const candidates = found.filter((f) => f.toLowerCase().startsWith(prefix.toLowerCase()));
  if (!candidates.length) return { ...missing, found };
  if (candidates.length > 1)
    return wrong("several", candidates, "Only one such record is allowed; merge them into one.");
  const value = candidates[0] ?? "";
  if (prefix === "v=spf1") {
    return spfAuthorizes(value, { domain: record.name, host, publicIp })
      ? ok(candidates)
      : wrong("spf-not-authorized", candidates, `The SPF record does not authorize this server; add "mx".`);
  }
  if (prefix === "v=DKIM1") {
    const p = /(?:^|;)\s*p=([^;\s]+)/.exec(value)?.[1];
    const expected = /p=([^;\s]+)/.exec(record.value)?.[1];
    return p === expected
      ? ok(candidates)
      : wrong("dkim-key", candidates, "The published key is not this server's signing key.");
  }
  return ok(candidates);
}
