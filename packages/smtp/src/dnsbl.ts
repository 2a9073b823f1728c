import { isIPv4, isIPv6 } from "node:net";
import { type DnsResolver, isNoData } from "./resolver";

/**
 * DNS blocklists (DNSBL, RFC 5782) for the MX, as Postfix's reject_rbl_client: the client's
 * address is looked up in each zone (2.0.0.127.zen.spamhaus.org for 127.0.0.2), and an A answer
 * means it is listed. Lists such as Spamhaus ZEN name the hosts of botnets and spam operations:
 * most unwanted mail to a shared address comes from them.
 */
export interface DnsblSettings {
  /** Zones, each optionally with the answers that count, in Postfix's form: "zen.spamhaus.org=127.0.0.[2..11]". */
  zones: string[];
  /** reject: 554 at RCPT TO (the sender's server bounces it); quarantine: accepted into Junk. */
  action: "reject" | "quarantine";
}

/** A client address found on a list. */
export interface Listing {
  zone: string;
  /** The list's answer (127.0.0.2), which says why on most lists. */
  answer: string;
  /** The list's TXT record there, usually a page explaining the listing; null when it has none. */
  reason: string | null;
}

/** One list's answer about one address. */
export interface ZoneReport {
  zone: string;
  /** Set when the list names the address (an answer that counts). */
  listing: Listing | null;
  /** Every A answer, counted or not. */
  answers: string[];
  /** The list's own error answer (127.255.255.x), when it gave one: it checks nothing then. */
  error: string | null;
  /** The lookup failed (a timeout, a refused query): the list could not be asked. */
  failure: string | null;
}

export interface DnsblZone {
  zone: string;
  /** Whether an A answer counts as a listing. */
  counts(answer: string): boolean;
}

/** A zone name: labels of letters, digits and hyphens (underscores too, as some lists use). */
const ZONE_RE = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9_-]{2,63}$/i;
/** One octet of an answer pattern: a number, or [n;m..k] (numbers and ranges; ".." read as "~"). */
const OCTET_RE = /^(\d{1,3}|\[\d{1,3}(~\d{1,3})?(;\d{1,3}(~\d{1,3})?)*\])$/;

/** A list's own error answers (Spamhaus: 127.255.255.252 typo, .254 public resolver, .255 over quota). */
const isListError = (answer: string) => answer.startsWith("127.255.255.");

/**
 * Parses "zone" or "zone=pattern". Without a pattern any answer in 127.0.0.0/8 counts except the
 * lists' error answers in 127.255.255.0/24 (an answer outside 127/8 is a resolver's ad redirect,
 * not a listing). Throws with a readable message on anything else.
 */
export function parseDnsblZone(spec: string): DnsblZone {
  const [zone = "", pattern, extra] = spec.trim().toLowerCase().split("=");
  if (!ZONE_RE.test(zone) || extra !== undefined) throw new Error(`"${spec}" is not a DNS blocklist zone`);
  if (pattern === undefined)
    return { zone, counts: (answer) => answer.startsWith("127.") && !isListError(answer) };
  const octets = pattern.replaceAll("..", "~").split(".");
  if (octets.length !== 4 || !octets.every((o) => OCTET_RE.test(o)))
    throw new Error(
      `"${pattern}" in "${spec}" is not an answer pattern such as 127.0.0.2 or 127.0.0.[2..11]`,
    );
  const sets = octets.map(octetSet);
  return { zone, counts: (answer) => answer.split(".").every((o, i) => sets[i]?.(Number(o)) ?? false) };
}

function octetSet(octet: string): (n: number) => boolean {
  const items = octet.replace(/^\[|\]$/g, "").split(";");
  const ranges = items.map((item) => {
    const [from, to = from] = item.split("~").map(Number);
    return [from ?? 0, to ?? 0] as const;
  });
  return (n) => ranges.some(([from, to]) => n >= from && n <= to);
}

/** The name an address is looked up under in a zone: reversed octets, or reversed nibbles for IPv6. */
export function reversedAddress(ip: string): string | null {
  const v4 = ip.startsWith("::ffff:") && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (isIPv4(v4)) return v4.split(".").reverse().join(".");
  if (!isIPv6(ip)) return null;
  const [head = "", tail = ""] = ip.split("::");
  // A trailing dotted quad (::ffff:192.0.2.1 written out, 64:ff9b::192.0.2.1) is two groups.
  const groups = (part: string) =>
    (part ? part.split(":") : []).flatMap((g) => {
      if (!isIPv4(g)) return [g];
      const [a = 0, b = 0, c = 0, d = 0] = g.split(".").map(Number);
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  const left = groups(head);
  const right = groups(tail);
  const missing = 8 - left.length - right.length;
  const full = [...left, ...Array<string>(ip.includes("::") ? missing : 0).fill("0"), ...right];
  return full
    .map((g) => g.padStart(4, "0"))
    .join("")
    .split("")
    .reverse()
    .join(".");
}

/** Looks client addresses up in the configured lists; a list that cannot be reached lists nothing. */
export class Dnsbl {
  readonly zones: DnsblZone[];
  /** Zones whose error answer was reported: once each, not once per connection. */
  private readonly warned = new Set<string>();

  constructor(
    settings: DnsblSettings,
    private readonly resolver: DnsResolver,
    /** For the operator: a list that answers with an error is checking nothing. */
    private readonly warn: (message: string) => void = () => {},
  ) {
    this.zones = settings.zones.map(parseDnsblZone);
  }

  /** The first list, in the configured order, that names the address; null when none does. */
  async check(ip: string): Promise<Listing | null> {
    const found = (await this.report(ip)).find((r) => r.listing !== null);
    return found?.listing ?? null;
  }

  /**
   * What each list says about the address, in the configured order (`dns blocklist`). No answer,
   * NXDOMAIN or a list that is down: not listed, as mail is never refused because a list could
   * not be asked (Postfix does the same); `failure` says which of these it was.
   */
  async report(ip: string): Promise<ZoneReport[]> {
    const reversed = reversedAddress(ip);
    if (!reversed) return [];
    return Promise.all(this.zones.map((z) => this.ask(`${reversed}.${z.zone}`, z)));
  }

  private async ask(name: string, zone: DnsblZone): Promise<ZoneReport> {
    let failure: string | null = null;
    const answers = await this.resolver.a(name).catch((err: NodeJS.ErrnoException) => {
      if (!isNoData(err)) failure = err.code ?? err.message;
      return [] as string[];
    });
    const error = answers.find(isListError) ?? null;
    if (error && !this.warned.has(zone.zone)) {
      this.warned.add(zone.zone);
      this.warn(
        `DNS blocklist ${zone.zone} answered ${error}, an error (Spamhaus: 127.255.255.254 refuses public resolvers such as 8.8.8.8 or 1.1.1.1): no address is checked against it until that is fixed`,
      );
    }
    const answer = answers.find((a) => zone.counts(a));
    if (!answer) return { zone: zone.zone, listing: null, answers, error, failure };
    const txt = await this.resolver.txt(name).catch(() => [] as string[]);
    const reason = txt[0]?.replace(/[^\x20-\x7e]/g, " ").slice(0, 200) ?? null;
    return {
      zone: zone.zone,
      listing: { zone: zone.zone, answer, reason: reason || null },
      answers,
      error,
      failure,
    };
  }
}
