import { messages } from "@madoguchi/db/schema";
import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { CoreContext } from "../context";
import { type MailboxInfo, mailboxForUser, openMailbox } from "./folders";

/** Header/body fields IMAP SEARCH can match in the stored, decoded message columns. */
export type TextSearchField = "subject" | "from" | "to" | "cc" | "body" | "text";

function columnOf(field: TextSearchField): SQL {
  const from = sql`coalesce(${messages.fromName}, '') || ' ' || coalesce(${messages.fromAddress}, '')`;
  switch (field) {
    case "subject":
      return sql`${messages.subject}`;
    case "from":
      return from;
    case "to":
      return sql`${messages.to}::text`;
    case "cc":
      return sql`${messages.cc}::text`;
    case "body":
      return sql`${messages.bodyText}`;
    case "text":
      return sql`${messages.subject} || ' ' || ${from} || ' ' || ${messages.to}::text || ' ' || ${messages.cc}::text || ' ' || ${messages.bodyText}`;
  }
}

/**
 * UIDs of a folder whose decoded field contains `value`, case-insensitively: a plain substring
 * match, so Japanese (no word boundaries) works as users expect (請求 finds 請求書). The values
 * are the ones stored at delivery (charset-repaired, encoded-words decoded), so a search string
 * in any charset matches mail in any charset once both are Unicode.
 */
export async function searchMessageText(
  ctx: CoreContext,
  input: { userId: number; mailboxId: number; field: TextSearchField; value: string },
): Promise<number[]> {
  await mailboxForUser(ctx.db, input.userId, input.mailboxId);
  if (!input.value) return mailboxUidsOf(ctx, input.mailboxId);
  const rows = await ctx.db
    .select({ uid: messages.uid })
    .from(messages)
    .where(
      and(
        eq(messages.mailboxId, input.mailboxId),
        sql`strpos(lower(${columnOf(input.field)}), lower(${input.value})) > 0`,
      ),
    )
    .orderBy(asc(messages.uid));
  return rows.map((r) => r.uid);
}

/** UIDs whose Date header (the arrival time when there is none) falls in [since, before). */
export async function searchSentDate(
  ctx: CoreContext,
  input: { userId: number; mailboxId: number; since?: Date; before?: Date },
): Promise<number[]> {
  await mailboxForUser(ctx.db, input.userId, input.mailboxId);
  const sent = sql`coalesce(${messages.date}, ${messages.internalDate})`;
  const rows = await ctx.db
    .select({ uid: messages.uid })
    .from(messages)
    .where(
      and(
        eq(messages.mailboxId, input.mailboxId),
        // ISO text with a cast: a bare Date is not serialized alike by both drivers here.
        input.since ? sql`${sent} >= ${input.since.toISOString()}::timestamptz` : undefined,
        input.before ? sql`${sent} < ${input.before.toISOString()}::timestamptz` : undefined,
      ),
    )
    .orderBy(asc(messages.uid));
  return rows.map((r) => r.uid);
}

/**
 * The folder as an IMAP SELECT sees it: its state first, then its UIDs in order. Reading the
 * modseq before the UIDs means a message arriving in between is reported again by the next
 * mailboxChangesSince rather than missed.
 */
export async function mailboxSnapshot(
  ctx: CoreContext,
  input: { userId: number; mailboxId: number },
): Promise<{ mailbox: MailboxInfo; uids: number[] }> {
  const mailbox = await openMailbox(ctx.db, input.userId, input.mailboxId);
  return { mailbox, uids: await mailboxUidsOf(ctx, input.mailboxId) };
}

async function mailboxUidsOf(ctx: CoreContext, mailboxId: number): Promise<number[]> {
  // One text value instead of 100,000 row objects: a large SELECT spends most of its time
  // materializing rows in the driver, not in PostgreSQL.
  const [row] = await ctx.db
    .select({ uids: sql<string | null>`string_agg(${messages.uid}::text, ',' order by ${messages.uid})` })
    .from(messages)
    .where(eq(messages.mailboxId, mailboxId));
  return row?.uids ? row.uids.split(",").map(Number) : [];
}
