import { inboxes, mailboxes, messages } from "@madoguchi/db/schema";
import { parseMessage } from "@madoguchi/mail/parse";
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import { assertAdmin } from "../authz";
import { allocateSeq, insertChange } from "../changelog";
import { type CoreContext, nowOf } from "../context";
import { lockInbox } from "../conversations/lock";
import { AppError } from "../errors";
import { messageFields, PARSE_ERROR_KEYWORD } from "./message-fields";
import { touchConversation, upsertConversation } from "./upsert-conversation";

export interface UnparsedMessage {
  id: number;
  inboxAddress: string;
  mailbox: string;
  size: number;
  parseError: string;
  internalDate: Date;
}

/** Mail kept raw because it could not be parsed, newest first (admins only). */
export async function listUnparsedMessages(ctx: CoreContext, adminId: number): Promise<UnparsedMessage[]> {
  await assertAdmin(ctx.db, adminId);
  const rows = await ctx.db
    .select({
      id: messages.id,
      inboxAddress: inboxes.address,
      mailbox: mailboxes.name,
      size: messages.size,
      parseError: messages.parseError,
      internalDate: messages.internalDate,
    })
    .from(messages)
    .innerJoin(inboxes, eq(inboxes.id, messages.inboxId))
    .innerJoin(mailboxes, eq(mailboxes.id, messages.mailboxId))
    .where(isNotNull(messages.parseError))
    .orderBy(desc(messages.internalDate));
  return rows.map((r) => ({ ...r, parseError: r.parseError ?? "" }));
}

/** Parses a kept-raw message again (e.g. after a parser fix) and threads it. */
export async function reprocessMessage(
  ctx: CoreContext,
  adminId: number,
  messageId: number,
): Promise<{ conversationId: number }> {
  await assertAdmin(ctx.db, adminId);
  const [message] = await ctx.db.select().from(messages).where(eq(messages.id, messageId));
  if (!message) throw new AppError("NOT_FOUND", `Message ${messageId} does not exist`);
  if (!message.parseError) throw new AppError("INVALID_INPUT", `Message ${messageId} was parsed already`);
  const parsed = await parseMessage(await ctx.blobs.get(message.blobHash)).catch((err: unknown) => {
    throw new AppError("INVALID_INPUT", `Still cannot parse message ${messageId}: ${String(err)}`);
  });
  return ctx.db.transaction(async (tx) => {
    await lockInbox(tx, message.inboxId);
    const conversationId = await upsertConversation(
      tx,
      message.inboxId,
      parsed,
      message.direction,
      nowOf(ctx),
      adminId,
    );
    const seq = await allocateSeq(tx, message.inboxId);
    await tx
      .update(messages)
      .set({
        ...messageFields(parsed),
        messageIdHeader: parsed.messageId,
        conversationId,
        parseError: null,
        keywords: sql`${messages.keywords} - ${PARSE_ERROR_KEYWORD}`,
        modseq: seq,
      })
      .where(and(eq(messages.id, messageId)));
    await tx.update(mailboxes).set({ highestModseq: seq }).where(eq(mailboxes.id, message.mailboxId));
    await insertChange(tx, seq, {
      inboxId: message.inboxId,
      kind: "message_flags",
      conversationId,
      messageId,
      mailboxId: message.mailboxId,
      actorId: adminId,
      data: { reprocessed: true },
    });
    await touchConversation(tx, conversationId, seq, message.direction, message.internalDate);
    return { conversationId };
  });
}
