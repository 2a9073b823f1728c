/** Failed logins from one address within the window before answers are slowed down. */
export const AUTH_FAILURES_BEFORE_DELAY = 3;
/** Failed logins within the window before the address is refused outright. */
export const AUTH_FAILURES_BEFORE_LOCKOUT = 10;
export const AUTH_FAILURE_WINDOW_MS = 15 * 60 * 1000;
export const AUTH_LOCKOUT_MS = 15 * 60 * 1000;
/** Extra delay per failure past AUTH_FAILURES_BEFORE_DELAY, capped. */
const DELAY_STEP_MS = 1000;
const MAX_DELAY_MS = 5000;
/** Bound on remembered addresses so a spray of source addresses cannot exhaust memory. */
const MAX_TRACKED = 100_000;

interface Entry {
  failures: number[];
  lockedUntil: number;
}

/**
 * Per-address failed-login memory shared by web, IMAP, POP3 and SMTP in one process: after a
 * few failures answers are slowed, after more the address is refused for a while.
 */
export class AuthThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Milliseconds the address is still locked out, or 0. */
  lockedFor(address: string): number {
    const entry = this.entries.get(address);
    if (!entry) return 0;
    return Math.max(0, entry.lockedUntil - this.clock());
  }

  /** How long to wait before answering a failed attempt. */
  recordFailure(address: string): number {
    const now = this.clock();
    const entry = this.entries.get(address) ?? { failures: [], lockedUntil: 0 };
    entry.failures = entry.failures.filter((t) => now - t < AUTH_FAILURE_WINDOW_MS);
    entry.failures.push(now);
    if (entry.failures.length >= AUTH_FAILURES_BEFORE_LOCKOUT) {
      entry.lockedUntil = now + AUTH_LOCKOUT_MS;
      entry.failures = [];
    }
    this.entries.delete(address);
    this.entries.set(address, entry);
    if (this.entries.size > MAX_TRACKED) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const excess = entry.failures.length - AUTH_FAILURES_BEFORE_DELAY;
    return excess > 0 ? Math.min(MAX_DELAY_MS, excess * DELAY_STEP_MS) : 0;
  }

  recordSuccess(address: string): void {
    this.entries.delete(address);
  }
}
