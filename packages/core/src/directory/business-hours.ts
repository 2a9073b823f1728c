import type { BusinessHours } from "@madoguchi/db/schema";

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

const minutesOf = (clock: string): number | null => {
  const m = CLOCK.exec(clock);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/** What is wrong with a setting of business hours, or null when it can be used. */
export function businessHoursProblem(hours: BusinessHours): string | null {
  if (!hours.days.length || hours.days.some((d) => !Number.isInteger(d) || d < 0 || d > 6))
    return "Choose at least one weekday";
  const start = minutesOf(hours.start);
  const end = minutesOf(hours.end);
  if (start === null || end === null || start >= end) return "Business hours need a start before their end";
  try {
    new Intl.DateTimeFormat("en", { timeZone: hours.timeZone });
  } catch {
    return `Unknown time zone ${hours.timeZone}`;
  }
  return null;
}

/** Whether `at` falls on one of the days, from start (included) to end (excluded), in the zone. */
export function withinBusinessHours(at: Date, hours: BusinessHours): boolean {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: hours.timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(part("weekday"));
  const minutes = Number(part("hour")) * 60 + Number(part("minute"));
  const start = minutesOf(hours.start) ?? 0;
  const end = minutesOf(hours.end) ?? 0;
  return hours.days.includes(day) && minutes >= start && minutes < end;
}
