/** When a delivery that failed temporarily is tried again: after 1, 5, 15, 30 minutes, then hourly. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1, 5, 15, 30, 60].map((m) => m * 60_000);
/** A delivery still failing temporarily after this long is given up and bounced (RFC 5321 §4.5.4.1: 4-5 days). */
export const DEFAULT_MAX_QUEUE_AGE_MS = 5 * 24 * 3_600_000;
/** A still-deferred delivery tells the sender once, after this long, that it is delayed. */
export const DEFAULT_DELAY_NOTICE_AFTER_MS = 4 * 3_600_000;

export interface RetryPolicy {
  /** Delay before attempt n+1 after n failed attempts; the last entry repeats. */
  retryDelaysMs: readonly number[];
  maxAgeMs: number;
  delayNoticeAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
  maxAgeMs: DEFAULT_MAX_QUEUE_AGE_MS,
  delayNoticeAfterMs: DEFAULT_DELAY_NOTICE_AFTER_MS,
};

/** Delay after `attempts` (≥ 1) failed attempts. */
export function retryDelay(policy: RetryPolicy, attempts: number): number {
  const delays = policy.retryDelaysMs;
  if (!delays.length) return 60_000;
  return delays[Math.min(Math.max(attempts, 1), delays.length) - 1] ?? 60_000;
}
