/** Raw RFC 5322 messages for the e2e tests: UTF-8 headers as encoded words, bodies in base64. */

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64").replace(/.{76}/g, "$&\r\n");
const word = (s: string) =>
  /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, "utf8").toString("base64")}?=`;

export interface MailSpec {
  from: { name: string; address: string };
  to: string;
  subject: string;
  text?: string;
  html?: string;
  messageId: string;
  /** A reply's parent: In-Reply-To and References name it. */
  inReplyTo?: string;
  date?: Date;
  /** More header lines, as written ("List-Id: <news.example>"). */
  headers?: string[];
}

export function rawMail(m: MailSpec): Buffer {
  const head = [
    `From: ${word(m.from.name)} <${m.from.address}>`,
    `To: ${m.to}`,
    `Subject: ${word(m.subject)}`,
    `Message-ID: <${m.messageId}>`,
    ...(m.inReplyTo ? [`In-Reply-To: <${m.inReplyTo}>`, `References: <${m.inReplyTo}>`] : []),
    `Date: ${(m.date ?? new Date()).toUTCString()}`,
    ...(m.headers ?? []),
    "MIME-Version: 1.0",
  ];
  if (m.html !== undefined) {
    const boundary = "b-e2e-boundary";
    return Buffer.from(
      [
        ...head,
        `Content-Type: multipart/alternative; boundary="${boundary}"`,
        "",
        `--${boundary}`,
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: base64",
        "",
        b64(m.text ?? ""),
        `--${boundary}`,
        "Content-Type: text/html; charset=UTF-8",
        "Content-Transfer-Encoding: base64",
        "",
        b64(m.html),
        `--${boundary}--`,
        "",
      ].join("\r\n"),
    );
  }
  return Buffer.from(
    [
      ...head,
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: base64",
      "",
      b64(m.text ?? ""),
      "",
    ].join("\r\n"),
  );
}
