/** Raw test messages beyond the core fixtures' plain text: HTML and attachments. */

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");
const encodedWord = (s: string) => `=?UTF-8?B?${b64(s)}?=`;

export function htmlMail(opts: { subject: string; html: string; messageId: string }): Buffer {
  return Buffer.from(
    [
      "From: 山田 太郎 <taro@customer.example>",
      "To: info@example.co.jp",
      `Subject: ${encodedWord(opts.subject)}`,
      "Date: Fri, 27 Nov 2026 11:00:00 +0900",
      `Message-ID: <${opts.messageId}>`,
      "MIME-Version: 1.0",
      'Content-Type: multipart/alternative; boundary="alt"',
      "",
      "--alt",
      "Content-Type: text/plain; charset=UTF-8",
      "",
      "テキスト版です。",
      "--alt",
      "Content-Type: text/html; charset=UTF-8",
      "Content-Transfer-Encoding: base64",
      "",
      b64(opts.html),
      "--alt--",
      "",
    ].join("\r\n"),
  );
}

export function attachmentMail(opts: {
  subject: string;
  filename: string;
  content: Buffer;
  contentType: string;
  messageId: string;
  from?: string;
}): Buffer {
  return Buffer.from(
    [
      `From: ${opts.from ?? "経理 <keiri@customer.example>"}`,
      "To: info@example.co.jp",
      `Subject: ${encodedWord(opts.subject)}`,
      "Date: Fri, 27 Nov 2026 12:00:00 +0900",
      `Message-ID: <${opts.messageId}>`,
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="mix"',
      "",
      "--mix",
      "Content-Type: text/plain; charset=UTF-8",
      "",
      "添付をご確認ください。",
      "--mix",
      `Content-Type: ${opts.contentType}; name="${encodedWord(opts.filename)}"`,
      "Content-Transfer-Encoding: base64",
      `Content-Disposition: attachment; filename*=UTF-8''${encodeURIComponent(opts.filename)}`,
      "",
      b64(opts.content),
      "--mix--",
      "",
    ].join("\r\n"),
  );
}
