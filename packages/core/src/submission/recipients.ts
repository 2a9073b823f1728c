import type { CoreContext } from "../context";
import { getInbox, type Inbox, lookupLocalAddress } from "../directory/inboxes";
import { AppError } from "../errors";

export interface LocalSplit {
  inboxes: Inbox[];
  remote: string[];
}

/**
 * Recipients at domains served here are delivered directly, found as the MX finds them (aliases,
 * postmaster); the rest go to the queue.
 */
export async function splitLocal(ctx: CoreContext, recipients: string[]): Promise<LocalSplit> {
  const inboxes: Inbox[] = [];
  const remote: string[] = [];
  for (const rcpt of recipients) {
    const { domainServed, inboxId } = await lookupLocalAddress(ctx.db, rcpt);
    if (!domainServed) {
      remote.push(rcpt);
      continue;
    }
    if (inboxId === null)
      throw new AppError("NOT_FOUND", `No such local address: ${rcpt}`, { address: rcpt });
    if (!inboxes.some((i) => i.id === inboxId)) inboxes.push(await getInbox(ctx.db, inboxId));
  }
  return { inboxes, remote };
}
