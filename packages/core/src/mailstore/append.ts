import type { CoreContext } from "../context";
import { deliver } from "../deliver/deliver";
import { mailboxForUser } from "./folders";
import { isDerivedKeyword } from "./keywords";

/**
 * IMAP APPEND: stored under the durability rule (resolves after fsync and commit). Mail put
 * into Sent or Drafts counts as outbound (the customer is the recipient).
 */
export async function appendMessage(
  ctx: CoreContext,
  input: { userId: number; mailboxId: number; raw: Buffer; flags?: string[]; internalDate?: Date },
): Promise<{ uid: number; uidValidity: number; messageId: number }> {
  const mailbox = await mailboxForUser(ctx.db, input.userId, input.mailboxId);
  const flags = (input.flags ?? []).filter((f) => !isDerivedKeyword(f));
  const seen = flags.some((f) => f.toLowerCase() === "\\seen");
  const outbound = mailbox.specialUse === "\\Sent" || mailbox.specialUse === "\\Drafts";
  const result = await deliver(ctx, mailbox.inboxId, input.raw, {
    mailbox: mailbox.name,
    direction: outbound ? "outbound" : "inbound",
    flags: flags.filter((f) => f.startsWith("\\")),
    keywords: flags.filter((f) => !f.startsWith("\\")),
    internalDate: input.internalDate,
    actorId: input.userId,
    seenBy: seen ? [input.userId] : [],
    allowDuplicate: true,
  });
  return { uid: result.uid, uidValidity: mailbox.uidValidity, messageId: result.messageId };
}
