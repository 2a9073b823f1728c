import { randomBytes } from "node:crypto";

/** Message-IDs differ between processes, so runs never see each other's mail as duplicates. */
const RUN = randomBytes(6).toString("hex");
const messageId = (n: number) => `<bench-${n}-${RUN}@customer.example>`;

/**
 * A realistic inbound mail of about `bytes` bytes: Japanese text part plus a base64 attachment
 * filling it up, with a unique Message-ID so no two are deduplicated. With `replies`, every odd
 * message is the customer's follow-up to the one before it (In-Reply-To, References, "Re:"),
 * as in a support inbox where about half the mail continues a conversation.
 */
export function sampleMail(n: number, bytes: number, replies = false): Buffer {
  const text = `お世話になっております。請求書 ${n} をお送りします。\r\n`.repeat(8);
  const parent = replies && n % 2 === 1 ? messageId(n - 1) : null;
  const subject = parent ? `Re: 請求書 ${n - 1}` : `請求書 ${n}`;
  const head = [
    "From: 取引先 <billing@customer.example>",
    "To: info@example.co.jp",
    `Subject: =?UTF-8?B?${Buffer.from(subject).toString("base64")}?=`,
    `Message-ID: ${messageId(n)}`,
    ...(parent ? [`In-Reply-To: ${parent}`, `References: ${parent}`] : []),
    "Date: Fri, 27 Nov 2026 10:00:00 +0900",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    text,
    "--b1",
    'Content-Type: application/pdf; name="invoice.pdf"',
    "Content-Transfer-Encoding: base64",
    "",
  ].join("\r\n");
  const room = Math.max(0, bytes - Buffer.byteLength(head) - 20);
  const b64 = randomBytes(Math.floor((room * 3) / 4))
    .toString("base64")
    .replace(/.{76}/g, "$&\r\n");
  return Buffer.from(`${head}\r\n${b64}\r\n--b1--\r\n`);
}
