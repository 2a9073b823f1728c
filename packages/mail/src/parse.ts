import type { Attachment, HeaderLines } from "mailparser";
import { toMailAddresses } from "./addresses";
import { toAttachmentInfo } from "./attachments";
import { type DeliveryStatus, parseDeliveryStatus } from "./dsn";
import { firstMessageId, parseMessageIds } from "./message-id";
import { MESSAGE_PARSE_OPTIONS, parseRepaired } from "./mime-repair";
import { makeSnippet } from "./snippet";
import { stripNulls } from "./text-clean";
import { extractUuencoded } from "./uuencode";

export type { DeliveryStatus } from "./dsn";

/** Parsed view of a message: what the UI, search, threading and IMAP summaries need. */
export interface MailAddress {
  name: string;
  address: string;
}

export interface AttachmentInfo {
  filename: string | null;
  contentType: string;
  size: number;
  /** Without angle brackets, as cid: URLs name it. */
  contentId: string | null;
  inline: boolean;
}

export interface ParsedMessage {
  /** Message-IDs here and in inReplyTo / references are bare: no angle brackets. */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  /** null when the Date header is missing or unreadable (never "now"). */
  date: Date | null;
  text: string;
  html: string | null;
  /** First ~200 characters of visible text, whitespace collapsed. */
  snippet: string;
  attachments: AttachmentInfo[];
  /** Bounce details when the message is a delivery status notification, else null. */
  dsn: DeliveryStatus | null;
  /** True when a charset label was missing or wrong and detection decided the decoding. */
  charsetRepaired: boolean;
}

const DSN_TYPES = new Set(["message/delivery-status", "message/global-delivery-status"]);

/** Raw value of a top-level header, unfolded, or null. mailparser turns a bad Date into "now". */
export function headerValue(lines: HeaderLines, key: string): string | null {
  const line = lines.find((l) => l.key === key)?.line;
  if (line === undefined) return null;
  return line
    .slice(line.indexOf(":") + 1)
    .replace(/\r?\n[ \t]/g, " ")
    .trim();
}

function parseDate(value: string | null): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function findDsn(attachments: Attachment[]): DeliveryStatus | null {
  const part = attachments.find((a) => DSN_TYPES.has(a.contentType));
  return part ? parseDeliveryStatus(part.content.toString("utf8")) : null;
}

/**
 * Parses a raw message. Throws only when mailparser itself gives up (e.g. a header block past
 * its size limit); callers keep such mail raw. Charset problems are repaired as it parses (see
 * mime-repair.ts); a repair that fails leaves that header or text as mailparser reads it.
 */
export async function parseMessage(raw: Buffer): Promise<ParsedMessage> {
  const mail = await parseRepaired(raw, MESSAGE_PARSE_OPTIONS);
  const uu = extractUuencoded(stripNulls(mail.text ?? ""));
  const text = uu.text;
  const attachments = await Promise.all(mail.attachments.map(toAttachmentInfo));
  for (const file of uu.files) {
    attachments.push({ ...file, contentType: "application/octet-stream", contentId: null, inline: false });
  }
  const lines = mail.headerLines;
  return {
    messageId: firstMessageId(headerValue(lines, "message-id")),
    inReplyTo: firstMessageId(headerValue(lines, "in-reply-to")),
    references: parseMessageIds(headerValue(lines, "references")),
    subject: stripNulls(mail.subject ?? "").trim(),
    from: toMailAddresses(mail.from)[0] ?? null,
    to: toMailAddresses(mail.to),
    cc: toMailAddresses(mail.cc),
    replyTo: toMailAddresses(mail.replyTo),
    date: parseDate(headerValue(lines, "date")),
    text,
    html: mail.html ? stripNulls(mail.html) : null,
    snippet: makeSnippet(text),
    attachments,
    dsn: findDsn(mail.attachments),
    charsetRepaired: mail.repaired,
  };
}
