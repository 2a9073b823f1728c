import { type CoreContext, enqueueOutbound, findInboxByAddress } from "@madoguchi/core";
import { outboundMessages, outboundQueue } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { mail } from "../../../core/test/fixtures";

/** A queued message from info@example.co.jp without going through submission (the worker under test is the subject). */
export async function enqueueDirect(ctx: CoreContext, messageId: string, to: string[], subject = "crash") {
  const inbox = await findInboxByAddress(ctx.db, "info@example.co.jp");
  const raw = mail({ from: "info@example.co.jp", to: to.join(", "), messageId, subject });
  const blob = await ctx.blobs.put(raw);
  await enqueueOutbound(ctx, {
    inboxId: inbox?.id ?? -1,
    senderUserId: null,
    messageIdHeader: messageId,
    mailFrom: "info@example.co.jp",
    blobHash: blob.hash,
    size: blob.size,
    subject,
    recipients: to,
    basedOnSeq: null,
    state: "queued",
  });
  return raw;
}

/** The queue rows of one outbound message, by its Message-ID. */
export async function queueRowsOf(ctx: CoreContext, messageId: string) {
  const [message] = await ctx.db
    .select()
    .from(outboundMessages)
    .where(eq(outboundMessages.messageIdHeader, messageId));
  if (!message) return [];
  return ctx.db.select().from(outboundQueue).where(eq(outboundQueue.outboundMessageId, message.id));
}
