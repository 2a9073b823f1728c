import { messages, users } from "@madoguchi/db/schema";
import { attachmentContent } from "@madoguchi/mail";
import { eq } from "drizzle-orm";
import { assertInboxAccess } from "../authz";
import type { CoreContext } from "../context";
import { AppError } from "../errors";
import type { DraftFile } from "./draft-attachments";

export interface ForwardSource {
  messageId: number;
  conversationId: number;
  inboxId: number;
  /** Threading of the forward: it stays in the conversation it came from. */
  messageIdHeader: string | null;
  references: string[];
  subject: string;
  from: string;
  to: string;
  cc: string;
  date: Date;
  text: string;
  attachments: { index: number; filename: string; contentType: string; size: number }[];
}

const person = (a: { name?: string | null; address?: string | null }) =>
  a.name && a.address ? `${a.name} <${a.address}>` : (a.address ?? a.name ?? "");

/** A stored message the user may forward (a member of its inbox), with what the quote shows. */
export async function forwardSource(
  ctx: CoreContext,
  userId: number,
  messageId: number,
): Promise<ForwardSource> {
  const [m] = await ctx.db.select().from(messages).where(eq(messages.id, messageId));
  if (!m) throw new AppError("NOT_FOUND", "No such message");
  await assertInboxAccess(ctx.db, userId, m.inboxId);
  if (m.conversationId === null) throw new AppError("INVALID_INPUT", "This message is not in a conversation");
  return {
    messageId: m.id,
    conversationId: m.conversationId,
    inboxId: m.inboxId,
    messageIdHeader: m.messageIdHeader,
    references: m.references,
    subject: m.subject,
    from: person({ name: m.fromName, address: m.fromAddress }),
    to: m.to.map(person).join(", "),
    cc: m.cc.map(person).join(", "),
    date: m.date ?? m.internalDate,
    text: m.bodyText,
    attachments: m.attachments.flatMap((a, index) =>
      a.inline
        ? []
        : [
            {
              index,
              filename: a.filename ?? `attachment-${index + 1}`,
              contentType: a.contentType,
              size: a.size,
            },
          ],
    ),
  };
}

const LABELS = {
  ja: {
    head: "---------- 転送メッセージ ----------",
    from: "差出人",
    date: "日付",
    subject: "件名",
    to: "宛先",
    cc: "Cc",
  },
  en: {
    head: "---------- Forwarded message ---------",
    from: "From",
    date: "Date",
    subject: "Subject",
    to: "To",
    cc: "Cc",
  },
} as const;

/** The quoted header block and text of a forward, in the user's language and time zone. */
export function forwardQuote(source: ForwardSource, locale: string, timeZone: string): string {
  const lang = locale === "en" ? "en" : "ja";
  const l = LABELS[lang];
  const date = new Intl.DateTimeFormat(lang === "ja" ? "ja-JP" : "en-US", {
    dateStyle: "full",
    timeStyle: "short",
    timeZone,
  }).format(source.date);
  const lines = [
    l.head,
    `${l.from}: ${source.from}`,
    `${l.date}: ${date}`,
    `${l.subject}: ${source.subject}`,
    `${l.to}: ${source.to}`,
    ...(source.cc ? [`${l.cc}: ${source.cc}`] : []),
    "",
    source.text,
  ];
  return lines.join("\n");
}

/** "Fwd: " once, however often the thread was forwarded or answered. */
export function forwardSubject(subject: string): string {
  return /^\s*(fwd?|転送)\s*[:：]/i.test(subject) ? subject : `Fwd: ${subject}`;
}

/** The forward as the composer starts it, for this user. */
export async function forwardStart(ctx: CoreContext, userId: number, messageId: number) {
  const source = await forwardSource(ctx, userId, messageId);
  const [user] = await ctx.db
    .select({ locale: users.locale, timeZone: users.timeZone })
    .from(users)
    .where(eq(users.id, userId));
  return {
    source,
    subject: forwardSubject(source.subject),
    quote: forwardQuote(source, user?.locale ?? "ja", user?.timeZone ?? "Asia/Tokyo"),
  };
}

/** The original's attachments (inline images of an HTML body excluded), bytes included. */
export async function forwardedFiles(ctx: CoreContext, source: ForwardSource): Promise<DraftFile[]> {
  if (!source.attachments.length) return [];
  const [m] = await ctx.db
    .select({ blobHash: messages.blobHash })
    .from(messages)
    .where(eq(messages.id, source.messageId));
  if (!m) throw new AppError("NOT_FOUND", "No such message");
  const raw = await ctx.blobs.get(m.blobHash);
  const files: DraftFile[] = [];
  for (const a of source.attachments) {
    const part = await attachmentContent(raw, a.index);
    if (part) files.push({ filename: a.filename, contentType: a.contentType, content: part.content });
  }
  return files;
}
