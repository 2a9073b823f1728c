import { assertAdmin } from "../authz";
import type { CoreContext } from "../context";

/*
 * The DNS records of a domain on the admin page: which to publish (MX, A, PTR, SPF, DKIM, DMARC)
 * and whether DNS has them right. The records and the lookups are the SMTP package's (the
 * same as `madoguchi dns show` / `dns check`); apps/server hands them over as a toolkit, and
 * the administrator check is here, as for every other admin function.
 */

export type DnsRecordKind = "mx" | "a" | "ptr" | "spf" | "dkim" | "dmarc";

export interface DomainDnsRecord {
  kind: DnsRecordKind;
  type: "MX" | "A" | "AAAA" | "PTR" | "TXT";
  name: string;
  value: string;
}

export type DnsRecordStatus = "ok" | "missing" | "wrong" | "error";

/**
 * What is wrong, for a reader that words it in its own language: the record is not published,
 * the MX points elsewhere, the A record names another address, the address's reverse DNS (PTR)
 * names another host, there are several SPF or DKIM records where one is allowed, SPF does not
 * authorize this server, the DKIM key is another one, or the lookup itself failed.
 */
export type DnsProblem =
  | "missing"
  | "mx-elsewhere"
  | "a-address"
  | "ptr-elsewhere"
  | "several"
  | "spf-not-authorized"
  | "dkim-key"
  | "lookup-failed";

export interface DomainDnsCheck extends DomainDnsRecord {
  status: DnsRecordStatus;
  /** Null when the record is right. */
  problem: DnsProblem | null;
  /** What DNS answered. */
  found: string[];
}

export interface DnsToolkit {
  show(ctx: CoreContext, domain: string): Promise<{ domain: string; records: DomainDnsRecord[] }>;
  check(ctx: CoreContext, domain: string): Promise<{ domain: string; ok: boolean; items: DomainDnsCheck[] }>;
}

/** The records to publish for a served domain (its DKIM key made on first use). */
export async function adminDomainDns(ctx: CoreContext, actorId: number, toolkit: DnsToolkit, domain: string) {
  await assertAdmin(ctx.db, actorId);
  return toolkit.show(ctx, domain);
}

/** Looks each record up now (no cache): right, missing, wrong, or not answerable. */
export async function adminCheckDomainDns(
  ctx: CoreContext,
  actorId: number,
  toolkit: DnsToolkit,
  domain: string,
) {
  await assertAdmin(ctx.db, actorId);
  return toolkit.check(ctx, domain);
}
