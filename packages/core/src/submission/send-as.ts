import type { Queryable } from "@madoguchi/db/client";
import { canAccessInbox } from "../authz";
import { findInboxByAddress, type Inbox } from "../directory/inboxes";

/**
 * "May this user send as this address?": yes for their own address and for a shared inbox
 * they are a member of; the inbox returned is where the Sent copy and the reply go.
 */
export async function inboxForSender(
  db: Queryable,
  userId: number,
  address: string,
): Promise<Inbox | undefined> {
  const inbox = await findInboxByAddress(db, address);
  if (!inbox) return undefined;
  return (await canAccessInbox(db, userId, inbox.id)) ? inbox : undefined;
}
