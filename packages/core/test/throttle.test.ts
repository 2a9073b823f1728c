import { describe, expect, it } from "vitest";
import { AUTH_FAILURES_BEFORE_LOCKOUT, AUTH_LOCKOUT_MS, AuthThrottle } from "../src/auth/throttle";

describe("AuthThrottle", () => {
  it("slows, then locks out one address, and forgets after the lockout", () => {
    let now = 1_000_000;
    const t = new AuthThrottle(() => now);
    const delays: number[] = [];
    for (let i = 0; i < AUTH_FAILURES_BEFORE_LOCKOUT - 1; i++) delays.push(t.recordFailure("198.51.100.7"));
    expect(delays.slice(0, 3)).toEqual([0, 0, 0]);
    expect(delays.at(-1)).toBeGreaterThan(0);
    expect(t.lockedFor("198.51.100.7")).toBe(0);
    t.recordFailure("198.51.100.7");
    expect(t.lockedFor("198.51.100.7")).toBe(AUTH_LOCKOUT_MS);
    expect(t.lockedFor("203.0.113.9")).toBe(0);
    now += AUTH_LOCKOUT_MS;
    expect(t.lockedFor("198.51.100.7")).toBe(0);
  });
});
