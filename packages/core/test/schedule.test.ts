import { describe, expect, it } from "vitest";
import { heldUntilFor, MAX_SCHEDULE_DAYS } from "../src/web/undo-send";

describe("送信予約: until when a send is held", () => {
  const now = new Date("2026-11-30T18:30:00+09:00");
  const later = (ms: number) => new Date(now.getTime() + ms);

  it("holds for the undo window when no time is chosen, and until the chosen time otherwise", () => {
    expect(heldUntilFor(10, undefined, now)).toEqual(later(10_000));
    expect(heldUntilFor(0, undefined, now)).toBeNull();
    const nineAm = new Date("2026-12-01T09:00:00+09:00");
    expect(heldUntilFor(10, nineAm, now)).toEqual(nineAm);
    // To the millisecond chosen, also without an undo window.
    expect(heldUntilFor(0, later(1500), now)).toEqual(later(1500));
    // A time inside the undo window still gets the whole window.
    expect(heldUntilFor(10, later(3000), now)).toEqual(later(10_000));
  });

  it("refuses a time not in the future, or more than two weeks ahead, naming the field", () => {
    for (const sendAt of [now, later(-60_000), new Date(Number.NaN)])
      expect(() => heldUntilFor(10, sendAt, now)).toThrow(
        expect.objectContaining({ code: "INVALID_INPUT", details: { field: "sendAt" } }),
      );
    const limit = later(MAX_SCHEDULE_DAYS * 24 * 3600 * 1000);
    expect(heldUntilFor(10, limit, now)).toEqual(limit);
    expect(() => heldUntilFor(10, new Date(limit.getTime() + 1000), now)).toThrow(
      "A send can be scheduled at most 14 days ahead",
    );
  });
});
