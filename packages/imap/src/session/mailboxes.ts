import { listMailboxes } from "@madoguchi/core";
import { findByName, type NamedMailbox, named } from "./namespace";
import type { ImapSession } from "./session";

/** The folders the session's user may see, with their IMAP names (read fresh per command). */
export async function visibleMailboxes(session: ImapSession): Promise<NamedMailbox[]> {
  return named(await listMailboxes(session.ctx, session.userId));
}

/** A folder by its wire name; undefined for "no such folder" and "not yours" alike. */
export async function findMailbox(session: ImapSession, wire: string): Promise<NamedMailbox | undefined> {
  return findByName(await visibleMailboxes(session), wire);
}
