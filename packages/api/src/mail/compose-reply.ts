import { createHash } from "node:crypto";
import type { ReplyContext } from "@madoguchi/core";
import MailComposer from "nodemailer/lib/mail-composer";

export interface Recipient {
  address: string;
  name?: string;
}

export interface ComposeInput {
  context: ReplyContext;
  hostname: string;
  userId: number;
  to: Recipient[];
  cc: Recipient[];
  bcc: Recipient[];
  subject: string;
  bodyText: string;
  bodyHtml?: string;
  /** With it the Message-ID is derived from it, so a retried send is recognised as the same message. */
  clientMutationId?: string;
  now: Date;
}

/**
 * The Message-ID of a web reply: fixed before anything is stored. Derived from the client
 * mutation id when there is one, so a retry after a crash resumes the same queued message.
 */
export function webMessageId(input: {
  userId: number;
  conversationId: number;
  clientMutationId?: string;
  hostname: string;
}): string {
  const seed = input.clientMutationId
    ? `${input.userId}:${input.conversationId}:${input.clientMutationId}`
    : `${input.userId}:${input.conversationId}:${crypto.randomUUID()}`;
  return `web.${createHash("sha256").update(seed).digest("hex").slice(0, 32)}@${input.hostname}`;
}

/** The reply as RFC 5322 bytes: From the inbox, threaded (In-Reply-To/References), UTF-8, no Bcc header. */
export async function composeReply(input: ComposeInput): Promise<{ raw: Buffer; messageId: string }> {
  const { inbox, conversation } = input.context;
  const messageId = webMessageId({
    userId: input.userId,
    conversationId: conversation.id,
    clientMutationId: input.clientMutationId,
    hostname: input.hostname,
  });
  const composer = new MailComposer({
    from: { name: inbox.name, address: inbox.address },
    to: input.to.map((r) => ({ name: r.name ?? "", address: r.address })),
    cc: input.cc.map((r) => ({ name: r.name ?? "", address: r.address })),
    bcc: input.bcc.map((r) => ({ name: r.name ?? "", address: r.address })),
    subject: input.subject,
    text: input.bodyText,
    ...(input.bodyHtml ? { html: input.bodyHtml } : {}),
    messageId: `<${messageId}>`,
    date: input.now,
    ...(input.context.inReplyTo ? { inReplyTo: `<${input.context.inReplyTo}>` } : {}),
    ...(input.context.references.length
      ? { references: input.context.references.map((r) => `<${r}>`).join(" ") }
      : {}),
    textEncoding: "base64",
  });
  const raw = await new Promise<Buffer>((resolve, reject) =>
    composer.compile().build((err, message) => (err ? reject(err) : resolve(message))),
  );
  return { raw, messageId };
}
