import { messages } from "@madoguchi/db/schema";
import { attachmentContent } from "@madoguchi/mail";
import { eq } from "drizzle-orm";
import { assertInboxAccess } from "../authz";
import type { CoreContext } from "../context";
import { AppError } from "../errors";

export interface AttachmentDownload {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** One attachment of a stored message, for members of its inbox only. */
export async function readAttachment(
  ctx: CoreContext,
  userId: number,
  messageId: number,
  index: number,
): Promise<AttachmentDownload> {
  const [m] = await ctx.db
    .select({ inboxId: messages.inboxId, blobHash: messages.blobHash, attachments: messages.attachments })
    .from(messages)
    .where(eq(messages.id, messageId));
  if (!m) throw new AppError("NOT_FOUND", "No such message");
  await assertInboxAccess(ctx.db, userId, m.inboxId);
  const listed = m.attachments[index];
  if (!listed) throw new AppError("NOT_FOUND", "No such attachment");
  const part = await attachmentContent(await ctx.blobs.get(m.blobHash), index);
  if (!part) throw new AppError("NOT_FOUND", "This attachment cannot be downloaded separately");
  return {
    filename: listed.filename ?? part.filename ?? `attachment-${index + 1}`,
    contentType: listed.contentType || part.contentType || "application/octet-stream",
    content: part.content,
  };
}
