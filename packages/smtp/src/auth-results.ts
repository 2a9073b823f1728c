import { authenticate } from "mailauth";
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
