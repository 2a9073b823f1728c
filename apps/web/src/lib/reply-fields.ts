import { domainOf, formatRecipient, type ParsedRecipient } from "./recipients";

export interface MailParty {
  name: string | null;
  address: string | null;
}

export interface MessageForReply {
  direction: "inbound" | "outbound";
  subject: string | null;
  from: MailParty[] | MailParty | null;
  to: MailParty[];
  cc: MailParty[];
  text: string | null;
  date: string | null;
  receivedAt: string;
}

export interface ReplyFields {
  to: string;
  cc: string;
  subject: string;
}

const list = (p: MailParty[] | MailParty | null): MailParty[] =>
  p === null ? [] : Array.isArray(p) ? p : [p];

const asRecipient = (p: MailParty): ParsedRecipient | null =>
  p.address ? (p.name ? { address: p.address, name: p.name } : { address: p.address }) : null;

export function replySubject(subject: string | null): string {
  const s = (subject ?? "").trim();
  return /^(re|返信)\s*[:：]/i.test(s) ? s : `Re: ${s}`;
}

/**
 * Reply goes to the customer of the newest inbound message; reply-all adds its other To/Cc
 * recipients, never the shared inbox itself (nor any of `ownAddresses`).
 */
export function replyFields(
  messages: readonly MessageForReply[],
  customer: MailParty,
  ownAddresses: readonly string[],
  mode: "reply" | "replyAll",
): ReplyFields {
  const own = new Set(ownAddresses.map((a) => a.toLowerCase()));
  const lastInbound = [...messages].reverse().find((m) => m.direction === "inbound");
  const primary = (lastInbound ? list(lastInbound.from)[0] : undefined) ?? customer;
  const to = [asRecipient(primary)].filter((r): r is ParsedRecipient => r !== null);
  const cc: ParsedRecipient[] = [];
  if (mode === "replyAll" && lastInbound) {
    const seen = new Set([...own, ...to.map((r) => r.address.toLowerCase())]);
    for (const p of [...lastInbound.to, ...lastInbound.cc]) {
      const r = asRecipient(p);
      if (!r || seen.has(r.address.toLowerCase())) continue;
      seen.add(r.address.toLowerCase());
      cc.push(r);
    }
  }
  const subject = replySubject(lastInbound?.subject ?? messages.at(-1)?.subject ?? "");
  return { to: to.map(formatRecipient).join(", "), cc: cc.map(formatRecipient).join(", "), subject };
}

/**
 * The team's own addresses in a composer: the inbox's, its aliases' and the agent's. Reply-all
 * leaves them out, and their domains are internal for the send confirmation (誤送信防止), so a
 * colleague at an alias's domain (info@example.jp beside info@example.co.jp) is not external.
 */
export function ownAddressesOf(
  inbox: { address: string; aliases: readonly string[] } | undefined,
  me: { email: string },
): string[] {
  return [...(inbox ? [inbox.address, ...inbox.aliases] : []), me.email];
}

/** The domains of the team's own addresses (ownAddressesOf): recipients there are not external. */
export function internalDomainsOf(addresses: readonly string[]): string[] {
  return [...new Set(addresses.filter((a) => a.includes("@")).map(domainOf))];
}

/** The quoted original under a reply: "> " lines after one attribution line. */
export function quoteOriginal(text: string | null, attribution: string): string {
  if (!text?.trim()) return "";
  const quoted = text
    .replace(/\r\n/g, "\n")
    .trimEnd()
    .split("\n")
    .map((l) => (l.startsWith(">") ? `>${l}` : `> ${l}`))
    .join("\n");
  return `${attribution}\n${quoted}`;
}
