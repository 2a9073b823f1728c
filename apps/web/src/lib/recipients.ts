/** Recipient parsing and the external-domain check shown before a send (誤送信防止). */

export interface ParsedRecipient {
  address: string;
  name?: string;
}

export interface RecipientCheck extends ParsedRecipient {
  field: "to" | "cc" | "bcc";
  domain: string;
  /** Not one of the team's own domains: highlighted in the confirmation. */
  external: boolean;
}

// Same shape the API accepts (reply.types.ts): loose, the SMTP side refuses what it cannot deliver.
const ADDRESS_RE = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/;

export const isAddress = (s: string): boolean => ADDRESS_RE.test(s);

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}

/**
 * Splits what a user typed into recipients: commas, semicolons, 、, newlines; accepts
 * `Name <addr>` and bare addresses. Returns the invalid pieces separately so the form can say which.
 */
export function parseRecipients(input: string): { recipients: ParsedRecipient[]; invalid: string[] } {
  const recipients: ParsedRecipient[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const raw of splitList(input)) {
    const piece = raw.trim();
    if (!piece) continue;
    const angle = /^(.*)<([^<>]+)>$/.exec(piece);
    const address = (angle ? (angle[2] ?? "") : piece).trim();
    const name = angle ? (angle[1] ?? "").trim().replace(/^"(.*)"$/, "$1") : "";
    if (!isAddress(address)) {
      invalid.push(piece);
      continue;
    }
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    recipients.push(name ? { address, name } : { address });
  }
  return { recipients, invalid };
}

/** Splits on separators outside double quotes (a display name may contain a comma). */
function splitList(input: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of input) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === "," || ch === ";" || ch === "、" || ch === "，" || ch === "\n")) {
      out.push(current);
      current = "";
      continue;
    }
    current += ch;
  }
  out.push(current);
  return out;
}

export function formatRecipient(r: ParsedRecipient): string {
  return r.name ? `${r.name} <${r.address}>` : r.address;
}

/**
 * Every recipient of a send, each marked external unless its domain (or a parent domain) is
 * one of the team's own. Subdomains count as internal: mail.example.co.jp belongs to example.co.jp.
 */
export function checkRecipients(
  fields: { to: ParsedRecipient[]; cc: ParsedRecipient[]; bcc: ParsedRecipient[] },
  internalDomains: readonly string[],
): RecipientCheck[] {
  const own = internalDomains.map((d) => d.toLowerCase());
  const isInternal = (domain: string) => own.some((d) => domain === d || domain.endsWith(`.${d}`));
  const out: RecipientCheck[] = [];
  for (const field of ["to", "cc", "bcc"] as const) {
    for (const r of fields[field]) {
      const domain = domainOf(r.address);
      out.push({ ...r, field, domain, external: !isInternal(domain) });
    }
  }
  return out;
}

/** The distinct external domains, for the confirmation's summary line ("3 external domains"). */
export function externalDomains(checks: readonly RecipientCheck[]): string[] {
  return [...new Set(checks.filter((c) => c.external).map((c) => c.domain))];
}
