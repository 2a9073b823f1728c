import { authenticate } from "mailauth";
import type { Listing } from "./dnsbl";
import type { DnsResolver } from "./resolver";

/** The verdict stored with the message (messages.authResults) for the UI badge. */
export interface AuthVerdict {
  spf: string;
  dkim: string;
  /** Domains whose DKIM signature verified. */
  dkimPassDomains: string[];
  dmarc: string;
  /** The sender domain's DMARC policy (none / quarantine / reject), when it has one. */
  dmarcPolicy: string | null;
  arc: string;
  /** The Authentication-Results header value, as prepended to the message. */
  header: string;
  /** The blocklist the client was found on, when that sent the message to Junk (dnsbl.ts). */
  dnsbl?: Listing;
}

export interface AuthCheck {
  verdict: AuthVerdict;
  /** Header lines to prepend (Received-SPF, Authentication-Results), CRLF-terminated. */
  headers: string;
  /** DMARC failed and the domain asks receivers to reject. */
  dmarcReject: boolean;
}

/** SPF, DKIM, DMARC and ARC of one inbound message (BIMI is not used). */
export async function checkAuthentication(
  raw: Buffer,
  input: { ip: string; helo: string; sender: string; mta: string; resolver: DnsResolver },
): Promise<AuthCheck> {
  const result = await authenticate(raw, {
    ip: input.ip,
    helo: input.helo,
    sender: input.sender,
    mta: input.mta,
    disableBimi: true,
    resolver: (name, rrtype) => input.resolver.raw(name, rrtype) as Promise<string[][]>,
  });
  const dkimResults = result.dkim?.results ?? [];
  const dkim = dkimResults.some((r) => r.status.result === "pass")
    ? "pass"
    : (dkimResults[0]?.status.result ?? "none");
  const dmarc = result.dmarc ? result.dmarc.status.result : "none";
  const dmarcPolicy = result.dmarc ? result.dmarc.policy || null : null;
  const arHeader = /^Authentication-Results:\s*([\s\S]*?)\r?\n(?![ \t])/im.exec(result.headers)?.[1] ?? "";
  return {
    verdict: {
      spf: result.spf ? result.spf.status.result : "none",
      dkim,
      dkimPassDomains: dkimResults.filter((r) => r.status.result === "pass").map((r) => r.signingDomain),
      dmarc,
      dmarcPolicy,
      arc: result.arc ? result.arc.status.result : "none",
      header: arHeader.replace(/\r?\n[ \t]+/g, " "),
    },
    headers: result.headers.endsWith("\n") ? result.headers : `${result.headers}\r\n`,
    dmarcReject: dmarc === "fail" && dmarcPolicy === "reject",
  };
}

/** Index just past the header block's blank line, or the whole length when there is no body. */
function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 2;
  return lf >= 0 ? lf + 1 : raw.length;
}

/** The authserv-id of an Authentication-Results value (RFC 8601 §2.2): its first token, comments dropped. */
export function authservIdOf(value: string): string {
  let text = value.replace(/\r?\n[ \t]+/g, " ");
  // Comments may nest; peel the innermost ones until none is left.
  for (let i = 0; i < 10 && /\([^()]*\)/.test(text); i++) text = text.replace(/\([^()]*\)/g, " ");
  return /^\s*([^\s;]+)/.exec(text)?.[1]?.toLowerCase() ?? "";
}

/**
 * The message without the Authentication-Results fields that claim to come from us (authserv-id
 * = our hostname) and so can only be forged by the sender or an earlier hop: RFC 8601 §5 asks an
 * MTA to delete them, or a reader (or a filter) would trust a dkim=pass we never saw. Fields of
 * other authserv-ids are kept (they are someone else's claim, shown as such); ARC-sealed copies
 * (ARC-Authentication-Results) are left alone, since removing them would break the ARC chain.
 * Bytes are handled as latin1 so 8-bit headers pass through unchanged.
 */
export function withoutForgedAuthResults(raw: Buffer, authservId: string): Buffer {
  const end = headerEnd(raw);
  const head = raw.subarray(0, end).toString("latin1");
  const ours = authservId.toLowerCase();
  // One header field: its first line and any folded continuation lines.
  const fields = head.match(/[^\r\n]*(?:\r?\n|$)(?:[ \t][^\r\n]*(?:\r?\n|$))*/g) ?? [];
  let removed = false;
  const kept = fields.filter((field) => {
    const ar = /^authentication-results[ \t]*:([\s\S]*)$/i.exec(field);
    if (!ar || authservIdOf(ar[1] ?? "") !== ours) return true;
    removed = true;
    return false;
  });
  if (!removed) return raw;
  return Buffer.concat([Buffer.from(kept.join(""), "latin1"), raw.subarray(end)]);
}
