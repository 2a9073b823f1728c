/**
 * RFC 1939 §8 asks for an exclusive lock on the maildrop while a session is in TRANSACTION.
 * Here a maildrop is one user's view of one INBOX, so two users of a shared inbox never block
 * each other. The lock lives in this process only; with several server processes a second
 * session elsewhere is not refused, which is harmless because DELE only hides per user.
 */
export class MaildropLocks {
  private readonly held = new Set<string>();

  /** A release function, or undefined when the maildrop is already in use. */
  acquire(userId: number, mailboxId: number): (() => void) | undefined {
    const key = `${userId}:${mailboxId}`;
    if (this.held.has(key)) return undefined;
    this.held.add(key);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held.delete(key);
    };
  }
}
