import { createHash } from "node:crypto";
import type { DraftFile } from "@madoguchi/core";
import MailComposer from "nodemailer/lib/mail-composer";

export interface Recipient {
  address: string;
  name?: string;
}

export interface ComposeInput {
  /** The shared inbox it is sent from: its name and the address chosen (main or an alias). */
  from: { name: string; address: string };
  /** Threading: the message answered or forwarded (bare Message-IDs); none for a new message. */
  inReplyTo: string | null;
  references: string[];
  /** What the Message-ID is derived from together with the user and the client mutation id ("c42", "i3"). */
  scope: string;
  hostname: string;
  userId: number;
  to: Recipient[];
  cc: Recipient[];
  bcc: Recipient[];
  subject: string;
  bodyText: string;
  bodyHtml?: string;
  /** Uploaded files and a forward's original attachments. */
  attachments?: DraftFile[];
  /** With it the Message-ID is derived from it, so a retried send is recognised as the same message. */
  clientMutationId?: string;
  now: Date;
}

/**
 * The Message-ID of a web send: fixed before anything is stored. Derived from the client
 * mutation id when there is one, so a retry after a crash resumes the same queued message.
 */
export function webMessageId(input: {
  userId: number;
  scope: string;
  clientMutationId?: string;
  hostname: string;
}): string {
  const seed = `${input.userId}:${input.scope}:${input.clientMutationId ?? crypto.randomUUID()}`;
  return `web.${createHash("sha256").update(seed).digest("hex").slice(0, 32)}@${input.hostname}`;
}

/**
 * The message as RFC 5322 bytes: From the inbox (under its main address or an alias), threaded
 * (In-Reply-To/References), UTF-8, no Bcc header; attachments as real MIME parts, Japanese names
 * in RFC 2231 (nodemailer).
 */
export async function composeReply(input: ComposeInput): Promise<{ raw: Buffer; messageId: string }> {
  const messageId = webMessageId(input);
  const composer = new MailComposer({
    from: input.from,
    to: input.to.map((r) => ({ name: r.name ?? "", address: r.address })),
    cc: input.cc.map((r) => ({ name: r.name ?? "", address: r.address })),
    bcc: input.bcc.map((r) => ({ name: r.name ?? "", address: r.address })),
    subject: input.subject,
    text: input.bodyText,
    ...(input.bodyHtml ? { html: input.bodyHtml } : {}),
    messageId: `<${messageId}>`,
    date: input.now,
    ...(input.inReplyTo ? { inReplyTo: `<${input.inReplyTo}>` } : {}),
    ...(input.references.length ? { references: input.references.map((r) => `<${r}>`).join(" ") } : {}),
    attachments: (input.attachments ?? []).map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
    })),
    textEncoding: "base64",
  });
  const raw = await new Promise<Buffer>((resolve, reject) =>
    composer.compile().build((err, message) => (err ? reject(err) : resolve(message))),
  );
  return { raw, messageId };
}
