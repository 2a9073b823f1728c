import type { CoreContext } from "../context";
import { findDomain } from "../directory/domains";
import { findInboxByAddress, type Inbox } from "../directory/inboxes";
import { AppError } from "../errors";

export interface LocalSplit {
  inboxes: Inbox[];
  remote: string[];
}

/** Recipients at domains served here are delivered directly; the rest go to the queue. */
export async function splitLocal(ctx: CoreContext, recipients: string[]): Promise<LocalSplit> {
  const inboxes: Inbox[] = [];
  const remote: string[] = [];
  for (const rcpt of recipients) {
    const domain = rcpt.slice(rcpt.lastIndexOf("@") + 1);
    if (!(await findDomain(ctx.db, domain))) {
      remote.push(rcpt);
      continue;
    }
    const inbox = await findInboxByAddress(ctx.db, rcpt);
    if (!inbox) throw new AppError("NOT_FOUND", `No such local address: ${rcpt}`, { address: rcpt });
    if (!inboxes.some((i) => i.id === inbox.id)) inboxes.push(inbox);
  }
  return { inboxes, remote };
}
