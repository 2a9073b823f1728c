import { describe, expect, it } from "vitest";
import { holdSecondsFor, MAX_SCHEDULE_DAYS } from "../src/web/undo-send";

describe("送信予約: how long a send is held", () => {
  const now = new Date("2026-11-30T18:30:00+09:00");

  it("holds for the undo window when no time is chosen, and until the chosen time otherwise", () => {
    expect(holdSecondsFor(10, undefined, now)).toBe(10);
    expect(holdSecondsFor(10, new Date("2026-12-01T09:00:00+09:00"), now)).toBe(14.5 * 3600);
    // Whole seconds, never before the time chosen.
    expect(holdSecondsFor(0, new Date(now.getTime() + 1500), now)).toBe(2);
    // A time inside the undo window still gets the whole window.
    expect(holdSecondsFor(10, new Date(now.getTime() + 3000), now)).toBe(10);
  });

  it("refuses a time not in the future, or more than two weeks ahead, naming the field", () => {
    for (const sendAt of [now, new Date(now.getTime() - 60_000), new Date(Number.NaN)])
      expect(() => holdSecondsFor(10, sendAt, now)).toThrow(
        expect.objectContaining({ code: "INVALID_INPUT", details: { field: "sendAt" } }),
      );
    const limit = new Date(now.getTime() + MAX_SCHEDULE_DAYS * 24 * 3600 * 1000);
    expect(holdSecondsFor(10, limit, now)).toBe(MAX_SCHEDULE_DAYS * 24 * 3600);
    expect(() => holdSecondsFor(10, new Date(limit.getTime() + 1000), now)).toThrow(
      "A send can be scheduled at most 14 days ahead",
    );
  });
});
