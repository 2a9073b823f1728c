import type { DeliveryOutcome } from "@madoguchi/core";
import { MAX_ADDRESSES_PER_HOST, MAX_MX_HOSTS } from "../limits";
import { type DnsResolver, isNoData } from "../resolver";
import { type Router, type SendOnce, tryTargets, uniform } from "./route";
import type { Target } from "./transport";

type Route = { targets: Target[] } | { fail: "failed" | "deferred"; status: string; response: string };

async function addressesOf(resolver: DnsResolver, host: string): Promise<string[] | "nodata"> {
  const found: string[] = [];
  let answered = false;
  let noData = 0;
  for (const lookup of [resolver.a, resolver.aaaa]) {
    try {
      found.push(...(await lookup(host)));
      answered = true;
    } catch (err) {
      if (!isNoData(err)) throw err;
      noData++;
    }
  }
  if (!answered && noData === 2) return "nodata";
  return found.slice(0, MAX_ADDRESSES_PER_HOST);
}

/**
 * RFC 5321 §5.1: the MX hosts in preference order, or the domain itself when it has no MX
 * (implicit MX, A/AAAA); a null MX (RFC 7505) means the domain takes no mail.
 */
export async function resolveRoute(resolver: DnsResolver, domain: string, port: number): Promise<Route> {
  let mx: { exchange: string; priority: number }[];
  try {
    mx = await resolver.mx(domain);
  } catch (err) {
    if (!isNoData(err))
      return {
        fail: "deferred",
        status: "4.4.3",
        response: `DNS lookup of ${domain} failed (${(err as Error).message})`,
      };
    mx = [];
  }
  if (mx.length === 1 && (mx[0]?.exchange === "" || mx[0]?.exchange === ".")) {
    return { fail: "failed", status: "5.1.10", response: `${domain} does not accept mail (null MX)` };
  }
  const implicit = mx.length === 0;
  const hosts = implicit
    ? [domain]
    : [...mx]
        .sort((a, b) => a.priority - b.priority)
        .map((m) => m.exchange)
        .slice(0, MAX_MX_HOSTS);
  const targets: Target[] = [];
  let unknownHosts = 0;
  for (const host of hosts) {
    try {
      const addresses = await addressesOf(resolver, host);
      if (addresses === "nodata") unknownHosts++;
      else for (const address of addresses) targets.push({ address, port, hostName: host });
    } catch (err) {
      if (!targets.length && host === hosts.at(-1))
        return {
          fail: "deferred",
          status: "4.4.3",
          response: `DNS lookup of ${host} failed (${(err as Error).message})`,
        };
    }
  }
  if (!targets.length && unknownHosts === hosts.length) {
    return implicit
      ? { fail: "failed", status: "5.1.2", response: `Host or domain name not found: ${domain}` }
      : { fail: "deferred", status: "4.4.3", response: `No address for the mail servers of ${domain}` };
  }
  return { targets };
}

/** Delivers directly to the recipient domain's MX hosts. */
export function mxRouter(resolver: DnsResolver, port: number, send: SendOnce): Router {
  return {
    description: `MX on port ${port}`,
    async attempt(domain, envelope, raw, signal): Promise<DeliveryOutcome> {
      const route = await resolveRoute(resolver, domain, port);
      if ("fail" in route) return uniform(envelope.to, route.fail, route.status, route.response, new Date());
      return tryTargets(route.targets, send, envelope, raw, signal, `the mail servers of ${domain}`);
    },
  };
}
