import type { PresenceEntry } from "@madoguchi/api/router";

/**
 * Who is where, per inbox, from the realtime presence messages. Entries carry their own
 * expiry (a sleeping laptop stops renewing), so stale ones are dropped on read and by a timer.
 */
export class PresenceBook {
  private byInbox = new Map<number, Map<string, PresenceEntry>>();
  private snapshots = new Map<number, PresenceEntry[]>();

  replace(inboxId: number, entries: PresenceEntry[]): void {
    this.byInbox.set(inboxId, new Map(entries.map((e) => [e.connectionId, e])));
    this.snapshots.delete(inboxId);
  }

  apply(inboxId: number, connectionId: string, entry: PresenceEntry | null): void {
    let m = this.byInbox.get(inboxId);
    if (!m) {
      m = new Map();
      this.byInbox.set(inboxId, m);
    }
    // A connection is on at most one conversation: a new entry replaces the old one.
    if (entry) m.set(connectionId, entry);
    else m.delete(connectionId);
    this.snapshots.delete(inboxId);
  }

  clear(inboxId?: number): void {
    if (inboxId === undefined) {
      this.byInbox.clear();
      this.snapshots.clear();
    } else {
      this.byInbox.delete(inboxId);
      this.snapshots.delete(inboxId);
    }
  }

  /** Drops expired entries; true when something changed. */
  prune(now: number): boolean {
    let changed = false;
    for (const [inboxId, m] of this.byInbox) {
      for (const [id, e] of m) {
        if (Date.parse(e.expiresAt) <= now) {
          m.delete(id);
          changed = true;
          this.snapshots.delete(inboxId);
        }
      }
    }
    return changed;
  }

  /** A stable array per inbox until it changes (for useSyncExternalStore). */
  entries(inboxId: number): PresenceEntry[] {
    let s = this.snapshots.get(inboxId);
    if (!s) {
      s = [...(this.byInbox.get(inboxId)?.values() ?? [])];
      this.snapshots.set(inboxId, s);
    }
    return s;
  }
}

export interface ConversationPresence {
  viewers: string[];
  replying: { userId: number; userName: string } | null;
}

/** Everyone else on one conversation: names of viewers (one per user) and the first replier. */
export function presenceOn(
  entries: readonly PresenceEntry[],
  conversationId: number,
  me: { userId: number; connectionId: string | null },
): ConversationPresence {
  const viewers = new Map<number, string>();
  let replying: ConversationPresence["replying"] = null;
  for (const e of entries) {
    if (e.conversationId !== conversationId || e.connectionId === me.connectionId) continue;
    // Another tab of mine replying still matters (two drafts); viewing in another tab does not.
    if (e.state === "replying" && !replying) replying = { userId: e.userId, userName: e.userName };
    if (e.userId !== me.userId) viewers.set(e.userId, e.userName);
  }
  return { viewers: [...viewers.values()], replying };
}
