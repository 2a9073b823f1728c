import { describe, expect, it } from "vitest";
import {
  hoursAfter,
  localInputValue,
  morningAfter,
  nextMondayMorning,
  nextWorkingMorning,
} from "../src/lib/time-presets";

// Local times: the days below are built in the zone the test runs in, as the browser's are.
const day = (y: number, m: number, d: number, h = 15, min = 30) => new Date(y, m - 1, d, h, min, 12);

describe("times offered for 送信予約 and スヌーズ", () => {
  it("writes a time as <input type=datetime-local> takes it", () => {
    expect(localInputValue(day(2025, 3, 4, 9, 5))).toBe("2025-03-04T09:05");
  });

  it("明日 9:00 is tomorrow's morning, across a month's end", () => {
    expect(localInputValue(morningAfter(1, day(2025, 11, 30)))).toBe("2025-12-01T09:00");
  });

  it("the next working morning skips the weekend", () => {
    expect(localInputValue(nextWorkingMorning(day(2025, 11, 27)))).toBe("2025-11-28T09:00"); // Thu → Fri
    expect(localInputValue(nextWorkingMorning(day(2025, 11, 28)))).toBe("2025-12-01T09:00"); // Fri → Mon
    expect(localInputValue(nextWorkingMorning(day(2025, 11, 29)))).toBe("2025-12-01T09:00"); // Sat → Mon
  });

  it("来週月曜 is the coming Monday, a week on from a Monday", () => {
    expect(localInputValue(nextMondayMorning(day(2025, 11, 30)))).toBe("2025-12-01T09:00"); // Sun
    expect(localInputValue(nextMondayMorning(day(2025, 12, 1)))).toBe("2025-12-08T09:00"); // Mon
    expect(localInputValue(nextMondayMorning(day(2025, 12, 6)))).toBe("2025-12-08T09:00"); // Sat
  });

  it("3時間後 is three hours on, to the millisecond", () => {
    const now = day(2025, 12, 1);
    expect(hoursAfter(3, now).getTime() - now.getTime()).toBe(3 * 60 * 60 * 1000);
  });
});
