import { randomUUID } from "node:crypto";
import { rfc5322Date } from "./trace-headers";

/** Index just past the header block's blank line, or the whole length when there is no body. */
function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf("\r\n\r\n");
  if (crlf >= 0) return crlf + 2;
  const lf = raw.indexOf("\n\n");
  return lf >= 0 ? lf + 1 : raw.length;
}

/**
 * A submitted message as it will be stored and sent: with a Message-ID (fixed from here on:
 * the queue, the Sent copy and the reply guard all key on it) and a Date, and without Bcc,
 * which would otherwise tell every recipient who was copied in secret.
 */
export function prepareSubmitted(
  raw: Buffer,
  hostname: string,
  now: Date,
): { raw: Buffer; messageId: string } {
  const end = headerEnd(raw);
  const head = raw.subarray(0, end).toString("latin1");
  const kept = head.replace(/^bcc:.*(?:\r?\n[ \t].*)*\r?\n/gim, "");
  const added: string[] = [];
  let messageId = /^message-id:\s*<([^>\r\n]+)>/im.exec(kept)?.[1];
  if (!messageId) {
    messageId = `${randomUUID()}@${hostname}`;
    added.push(`Message-ID: <${messageId}>`);
  }
  if (!/^date:/im.test(kept)) added.push(`Date: ${rfc5322Date(now)}`);
  const prefix = added.length ? `${added.join("\r\n")}\r\n` : "";
  return {
    raw: Buffer.concat([Buffer.from(prefix + kept, "latin1"), raw.subarray(end)]),
    messageId,
  };
}
