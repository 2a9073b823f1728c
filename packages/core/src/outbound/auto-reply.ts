import {
  type AutoReplySettings,
  type AutoReplySkipReason,
  autoReplies,
  conversations,
  messages,
} from "@madoguchi/db/schema";
import { automationOf } from "@madoguchi/mail";
import { hasReplyPrefix } from "@madoguchi/mail/threading";
import { and, asc, eq, gt, inArray, isNull, lt, or, sql } from "drizzle-orm";
import MailComposer from "nodemailer/lib/mail-composer";
import { recordChange } from "../changelog";
import { type CoreContext, nowOf } from "../context";
import { lockInbox } from "../conversations/lock";
import { authVerdict } from "../deliver/auth-verdict";
import { deliver } from "../deliver/deliver";
import { withinBusinessHours } from "../directory/business-hours";
import { getInbox, type Inbox, lookupLocalAddress } from "../directory/inboxes";
import { replySender, type Sender } from "../web/reply-from";
import { queueHeldOnce, releaseOutbound } from "./queue";

// 自動返信, as yaritori, Re:lation and Help Scout offer it: an inbox can acknowledge each new
// inquiry at once (「お問い合わせありがとうございます。担当者より改めてご連絡いたします。」). The
// delivery records that one is due (auto-reply-record.ts); this decides, off the delivery's path,
// whether to send it, and sends it as the inbox: queued for delivery, its copy in Sent and in the
// conversation, logged there. It is not the team's reply: the status stays, no \Answered, and
// the reply guard does not count it.

/** The same address gets at most one 自動返信 per inbox in this time (RFC 3834 §2). */
export const AUTO_REPLY_REPEAT_MS = 60 * 60 * 1000;
/** How long a server process has a claimed row to itself; another may take it over after. */
const CLAIM_MS = 2 * 60 * 1000;
/** Rows one pass takes. */
const BATCH = 20;
/** Addresses no person reads (RFC 3834 §2, and common practice). */
const NO_REPLY_LOCAL =
  /^(mailer-daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?)([-+._].*)?$/i;

type AutoReplyRow = typeof autoReplies.$inferSelect;

export interface AutoReplySender {
  /** This server's name, for the Message-ID. */
  hostname: string;
  /** DKIM-signs as the domain, as every outgoing message is; unsigned without. */
  sign?: (raw: Buffer, domain: string) => Promise<Buffer>;
  /** One that failed (a blob unreadable, the database gone): tried again when its claim runs out. */
  onError?: (err: unknown) => void;
}

/**
 * Sends or skips every due 自動返信; several server processes may run it at once (each row is
 * claimed for a while, and a send is idempotent by its Message-ID). Returns how many were queued.
 */
export async function sendDueAutoReplies(ctx: CoreContext, sender: AutoReplySender): Promise<number> {
  let queued = 0;
  for (const row of await claimDue(ctx)) {
    try {
      if (await settle(ctx, row, sender)) queued++;
    } catch (err) {
      sender.onError?.(err);
    }
  }
  return queued;
}

async function claimDue(ctx: CoreContext): Promise<AutoReplyRow[]> {
  const now = nowOf(ctx);
  return ctx.db.transaction(async (tx) => {
    const due = await tx
      .select({ id: autoReplies.conversationId })
      .from(autoReplies)
      .where(
        and(
          eq(autoReplies.state, "pending"),
          or(isNull(autoReplies.claimedUntil), lt(autoReplies.claimedUntil, now)),
        ),
      )
      .orderBy(asc(autoReplies.createdAt))
      .limit(BATCH)
      .for("update", { skipLocked: true });
    if (!due.length) return [];
    return tx
      .update(autoReplies)
      .set({ claimedUntil: new Date(now.getTime() + CLAIM_MS) })
      .where(
        inArray(
          autoReplies.conversationId,
          due.map((d) => d.id),
        ),
      )
      .returning();
  });
}

/** Sends one, or records why not; true when it was queued. */
async function settle(ctx: CoreContext, row: AutoReplyRow, sender: AutoReplySender): Promise<boolean> {
  const inbox = await getInbox(ctx.db, row.inboxId);
  const [conversation] = await ctx.db
    .select()
    .from(conversations)
    .where(eq(conversations.id, row.conversationId));
  if (!conversation) return false; // deleted meanwhile: its row went with it
  const [inquiry] = row.messageId
    ? await ctx.db.select().from(messages).where(eq(messages.id, row.messageId))
    : [];
  const settings = inbox.settings.autoReply;
  const recipient = conversation.customerAddress;
  const reason: AutoReplySkipReason | null = !settings?.enabled
    ? "disabled"
    : settings.outsideHours && withinBusinessHours(row.createdAt, settings.outsideHours)
      ? "business_hours"
      : !inquiry
        ? "gone"
        : conversation.junk
          ? "junk"
          : !recipient || isNoReply(recipient) || isNoReply(row.mailFrom)
            ? "no_reply_address"
            : await otherReasons(ctx, row, recipient, inquiry);
  if (reason || !settings || !inquiry || !recipient) {
    await finish(ctx, row, { state: "skipped", reason: reason ?? "gone" });
    return false;
  }
  const messageIdHeader = autoReplyMessageId(row, sender.hostname);
  // From the address the customer wrote to (otoiawase@ as well as info@), as a person's reply is.
  const from = await replySender(ctx.db, inbox, conversation.id);
  const subject = subjectOf(settings, inquiry.subject);
  const raw = await composeAutoReply(from, {
    to: { name: conversation.customerName ?? "", address: recipient },
    subject,
    body: settings.body,
    inquiry,
    messageId: messageIdHeader,
    date: row.createdAt,
  });
  // An alias at another domain signs with that domain's key, as DMARC aligns on From.
  const domain = from.address.slice(from.address.lastIndexOf("@") + 1);
  const outboundId = await sendAsInbox(ctx, inbox, {
    raw: sender.sign ? await sender.sign(raw, domain) : raw,
    from: from.address,
    messageIdHeader,
    subject,
    recipient,
    conversationId: conversation.id,
  });
  await finish(ctx, row, { state: "sent", recipient, outboundId });
  return true;
}

const isNoReply = (address: string) => NO_REPLY_LOCAL.test(address.slice(0, address.lastIndexOf("@")));

/** The reasons that need a look at the database or the message itself. */
async function otherReasons(
  ctx: CoreContext,
  row: AutoReplyRow,
  recipient: string,
  inquiry: typeof messages.$inferSelect,
): Promise<AutoReplySkipReason | null> {
  if ((await lookupLocalAddress(ctx.db, recipient)).domainServed) return "local_sender";
  if (inquiry.authResults && authVerdict(inquiry.authResults) === "failed") return "auth_failed";
  const automation = await automationOf(await ctx.blobs.get(inquiry.blobHash));
  if (automation) return automation;
  const since = new Date(nowOf(ctx).getTime() - AUTO_REPLY_REPEAT_MS);
  const [recent] = await ctx.db
    .select({ id: autoReplies.conversationId })
    .from(autoReplies)
    .where(
      and(
        eq(autoReplies.inboxId, row.inboxId),
        sql`lower(${autoReplies.recipient}) = lower(${recipient})`,
        gt(autoReplies.doneAt, since),
        eq(autoReplies.state, "sent"),
      ),
    )
    .limit(1);
  return recent ? "recently_replied" : null;
}

/** How an 自動返信's Message-ID starts: the web app tags the message by it. */
export const AUTO_REPLY_ID_PREFIX = "auto-reply.";

/** Fixed per conversation, so a retry after a crash is recognised as the same message. */
const autoReplyMessageId = (row: AutoReplyRow, hostname: string) =>
  `${AUTO_REPLY_ID_PREFIX}${row.conversationId}.${row.createdAt.getTime().toString(36)}@${hostname}`;

/** Whether a stored message is an 自動返信 this server sent (its own Message-ID, going out). */
export const isAutoReply = (m: { direction: string; messageIdHeader: string | null }) =>
  m.direction === "outbound" && (m.messageIdHeader?.startsWith(AUTO_REPLY_ID_PREFIX) ?? false);

const subjectOf = (settings: AutoReplySettings, inquirySubject: string) =>
  settings.subject.trim() || (hasReplyPrefix(inquirySubject) ? inquirySubject : `Re: ${inquirySubject}`);

/**
 * The message: from the inbox, threaded under the inquiry, marked Auto-Submitted: auto-replied
 * (RFC 3834 §5) so other responders leave it alone, and Exchange's X-Auto-Response-Suppress.
 */
async function composeAutoReply(
  from: Sender,
  input: {
    to: { name: string; address: string };
    subject: string;
    body: string;
    inquiry: typeof messages.$inferSelect;
    messageId: string;
    date: Date;
  },
): Promise<Buffer> {
  const parent = input.inquiry.messageIdHeader;
  const references = [...input.inquiry.references, ...(parent ? [parent] : [])];
  return new MailComposer({
    from,
    to: input.to,
    subject: input.subject,
    text: input.body,
    messageId: `<${input.messageId}>`,
    date: input.date,
    ...(parent ? { inReplyTo: `<${parent}>` } : {}),
    ...(references.length ? { references: references.map((r) => `<${r}>`).join(" ") } : {}),
    headers: { "Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All" },
    textEncoding: "base64",
  })
    .compile()
    .build();
}

/**
 * Queued (held), its copy stored in Sent (threading into the conversation), then released to the
 * delivery workers: the order of every send, each step safe to repeat after a crash.
 */
async function sendAsInbox(
  ctx: CoreContext,
  inbox: Inbox,
  input: {
    raw: Buffer;
    messageIdHeader: string;
    /** The inbox's address or one of its aliases: the envelope sender. */
    from: string;
    subject: string;
    recipient: string;
    conversationId: number;
  },
): Promise<number> {
  const queued = await queueHeldOnce(ctx, {
    inboxId: inbox.id,
    senderUserId: null,
    messageIdHeader: input.messageIdHeader,
    mailFrom: input.from,
    subject: input.subject,
    recipients: [input.recipient],
    basedOnSeq: null,
    raw: input.raw,
  });
  if (queued.released) return queued.message.id;
  await deliver(ctx, inbox.id, queued.raw, {
    mailbox: "Sent",
    direction: "outbound",
    actorId: null,
    mailFrom: input.from,
    rcptTo: [input.recipient],
  });
  await releaseOutbound(ctx, queued.message.id, { conversationId: input.conversationId, replySeq: null });
  return queued.message.id;
}

/** The row done, and the conversation's activity saying so, in one transaction. */
async function finish(
  ctx: CoreContext,
  row: AutoReplyRow,
  done:
    | { state: "sent"; recipient: string; outboundId: number }
    | { state: "skipped"; reason: AutoReplySkipReason },
): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await lockInbox(tx, row.inboxId);
    const [still] = await tx
      .update(autoReplies)
      .set({ ...done, doneAt: nowOf(ctx), claimedUntil: null })
      .where(and(eq(autoReplies.conversationId, row.conversationId), eq(autoReplies.state, "pending")))
      .returning();
    // Another process finished it first; or it came in working hours: nothing to tell the team.
    if (!still || (done.state === "skipped" && done.reason === "business_hours")) return;
    const seq = await recordChange(tx, {
      inboxId: row.inboxId,
      kind: "auto_reply",
      conversationId: row.conversationId,
      data: done.state === "sent" ? { to: done.recipient } : { skipped: done.reason },
    });
    await tx.update(conversations).set({ lastSeq: seq }).where(eq(conversations.id, row.conversationId));
  });
}
