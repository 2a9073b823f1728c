/**
 * Delivery status of a bounce (RFC 3464 multipart/report; report-type=delivery-status).
 * mailparser hands the message/delivery-status part over as an attachment (keepDeliveryStatus);
 * its body is a few header-style blocks: per-message fields first, then one block per
 * recipient. The first recipient block is the one reported.
 */
export interface DeliveryStatus {
  action: string | null;
  status: string | null;
  finalRecipient: string | null;
  diagnosticCode: string | null;
}

function fieldsOf(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  const unfolded = block.replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trim());
  }
  return fields;
}

/** "rfc822; user@example.jp" → "user@example.jp"; "smtp; 550 5.1.1 …" → "550 5.1.1 …". */
const withoutType = (value: string | undefined): string | null => {
  if (value === undefined) return null;
  const semi = value.indexOf(";");
  return (semi >= 0 ? value.slice(semi + 1) : value).trim() || null;
};

export function parseDeliveryStatus(body: string): DeliveryStatus | null {
  const blocks = body.split(/\r?\n[ \t]*\r?\n/).map(fieldsOf);
  const recipient = blocks.find((fields) => fields.has("action") || fields.has("final-recipient"));
  if (!recipient) return null;
  return {
    action: recipient.get("action")?.toLowerCase() ?? null,
    status: recipient.get("status")?.split(/\s/)[0] ?? null,
    finalRecipient: withoutType(recipient.get("final-recipient") ?? recipient.get("original-recipient")),
    diagnosticCode: withoutType(recipient.get("diagnostic-code")),
  };
}
