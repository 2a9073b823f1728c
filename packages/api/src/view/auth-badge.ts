import { authVerdict } from "@madoguchi/core";

/** The sender-authentication badge of an inbound message, from the verdict stored at SMTP time. */
export interface AuthBadge {
  /** verified: DMARC pass; failed: DMARC fail, or SPF and DKIM both fail; unknown: anything else. */
  verdict: "verified" | "failed" | "unknown";
  spf: string;
  dkim: string;
  dmarc: string;
  /** Domains whose DKIM signature verified. */
  dkimDomains: string[];
  /** The DNS blocklist the sending server was found on (the message went to Junk for it), if any. */
  blocklist: string | null;
}

const str = (v: unknown) => (typeof v === "string" && v ? v : "none");

export function authBadge(authResults: Record<string, unknown> | null): AuthBadge | null {
  if (!authResults) return null;
  const spf = str(authResults.spf);
  const dkim = str(authResults.dkim);
  const dmarc = str(authResults.dmarc);
  const verdict = authVerdict(authResults);
  const domains = Array.isArray(authResults.dkimPassDomains)
    ? authResults.dkimPassDomains.filter((d): d is string => typeof d === "string")
    : [];
  const listing = authResults.dnsbl as { zone?: unknown } | undefined;
  const blocklist = typeof listing?.zone === "string" ? listing.zone : null;
  return { verdict, spf, dkim, dmarc, dkimDomains: domains, blocklist };
}
