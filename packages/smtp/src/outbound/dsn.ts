import type { RecipientResult } from "@madoguchi/core";
import { rfc5322Date } from "../trace-headers";
import { DELAYED, explain } from "./explain";

export interface DsnInput {
  /** failed: a bounce (RFC 3464 Action: failed); delayed: a "still trying" notice. */
  action: "failed" | "delayed";
  hostname: string;
  /** Stable per notice (the queue row id): the same notice built twice is the same bytes, stored once. */
  token: string;
  /** The envelope sender of the original, who receives the notice. */
  sender: string;
  originalMessageId: string;
  originalSubject: string;
  /** The original's header block, returned as text/rfc822-headers. */
  originalHeaders: string;
  recipients: [string, RecipientResult][];
  arrivalDate: Date;
  /** When the notice is about (the last attempt), not when it is built, to keep the bytes stable. */
  date: Date;
}

const encodeWord = (text: string) => `=?UTF-8?B?${Buffer.from(text).toString("base64")}?=`;

/** A permanent verdict needs a permanent status: a 4.x.y that ran out of retries is reported 5.4.7. */
function reportedStatus(action: DsnInput["action"], result: RecipientResult): string {
  const status = result.status ?? (result.code !== null && result.code >= 500 ? "5.0.0" : "4.0.0");
  if (action === "failed" && status.startsWith("4.")) return "5.4.7";
  return status;
}

function humanText(input: DsnInput): string {
  const lines =
    input.action === "failed"
      ? [
          "次の宛先にメールを配信できませんでした。",
          "Your message could not be delivered to the following recipients.",
          "",
        ]
      : [
          "次の宛先へのメールはまだ配信されていません。",
          "Your message has not been delivered yet to the following recipients.",
          "",
        ];
  for (const [rcpt, result] of input.recipients) {
    const status = reportedStatus(input.action, result);
    const why = input.action === "failed" ? explain({ ...result, status }) : DELAYED;
    lines.push(
      `宛先 / Recipient: ${rcpt}`,
      `  ${why.ja}`,
      `  ${why.en}`,
      `  相手のサーバーの応答 / Remote server said: ${result.response || "(none)"}${result.remoteMta ? ` (${result.remoteMta})` : ""}`,
      "",
    );
  }
  lines.push(`件名 / Subject: ${input.originalSubject}`, `Message-ID: <${input.originalMessageId}>`);
  return lines.join("\r\n");
}

function deliveryStatus(input: DsnInput): string {
  const blocks = [
    [`Reporting-MTA: dns; ${input.hostname}`, `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`].join("\r\n"),
  ];
  for (const [rcpt, result] of input.recipients) {
    const fields = [
      `Final-Recipient: rfc822; ${rcpt}`,
      `Action: ${input.action}`,
      `Status: ${reportedStatus(input.action, result)}`,
    ];
    if (result.remoteMta) fields.push(`Remote-MTA: dns; ${result.remoteMta}`);
    if (result.response) fields.push(`Diagnostic-Code: smtp; ${result.response.replace(/\r?\n/g, " ")}`);
    fields.push(`Last-Attempt-Date: ${rfc5322Date(new Date(result.at))}`);
    blocks.push(fields.join("\r\n"));
  }
  return blocks.join("\r\n\r\n");
}

/** An RFC 3464 delivery status notification, threaded to the original by In-Reply-To. */
export function buildDsn(input: DsnInput): Buffer {
  const boundary = `madoguchi-dsn-${input.token}`;
  const subject =
    input.action === "failed"
      ? `配信できませんでした / Undelivered Mail Returned to Sender: ${input.originalSubject}`
      : `配信遅延のお知らせ / Delivery delayed: ${input.originalSubject}`;
  const head = [
    `From: ${encodeWord("メール配信システム")} <MAILER-DAEMON@${input.hostname}>`,
    `To: <${input.sender}>`,
    `Subject: ${encodeWord(subject)}`,
    `Date: ${rfc5322Date(input.date)}`,
    `Message-ID: <dsn-${input.action}-${input.token}@${input.hostname}>`,
    `In-Reply-To: <${input.originalMessageId}>`,
    `References: <${input.originalMessageId}>`,
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  ];
  const body = [
    `--${boundary}`,
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    humanText(input),
    "",
    `--${boundary}`,
    "Content-Type: message/delivery-status",
    "",
    deliveryStatus(input),
    "",
    `--${boundary}`,
    "Content-Type: text/rfc822-headers",
    "",
    input.originalHeaders.replace(/\r?\n/g, "\r\n").trimEnd(),
    "",
    `--${boundary}--`,
    "",
  ];
  return Buffer.from(`${head.join("\r\n")}\r\n\r\n${body.join("\r\n")}`);
}
