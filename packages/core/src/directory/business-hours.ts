import holidayJp from "@holiday-jp/holiday_jp";
import type { BusinessHours } from "@madoguchi/db/schema";

/** Japan's public holidays by date ("2026-11-23"), from the holiday_jp data set (to 2050). */
const HOLIDAYS: Readonly<Record<string, unknown>> = holidayJp.holidays;

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** Most closed periods an inbox keeps (a few years of 年末年始 and お盆). */
export const MAX_CLOSED_PERIODS = 50;

const minutesOf = (clock: string): number | null => {
  const m = CLOCK.exec(clock);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/** Whether the text is a real calendar date, written "2026-12-29". */
function isDate(text: string): boolean {
  const at = new Date(`${text}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(at.getTime()) && at.toISOString().startsWith(text);
}

/** What is wrong with a setting of business hours, or null when it can be used. */
export function businessHoursProblem(hours: BusinessHours): string | null {
  if (!hours.days.length || hours.days.some((d) => !Number.isInteger(d) || d < 0 || d > 6))
    return "Choose at least one weekday";
  const start = minutesOf(hours.start);
  const end = minutesOf(hours.end);
  if (start === null || end === null || start >= end) return "Business hours need a start before their end";
  const closed = hours.closed ?? [];
  if (closed.length > MAX_CLOSED_PERIODS) return `At most ${MAX_CLOSED_PERIODS} closed periods`;
  if (closed.some((c) => !isDate(c.from) || !isDate(c.to) || c.from > c.to))
    return "A closed period needs a first day on or before its last";
  try {
    new Intl.DateTimeFormat("en", { timeZone: hours.timeZone });
  } catch {
    return `Unknown time zone ${hours.timeZone}`;
  }
  return null;
}

/**
 * Whether `at` falls on one of the days, from start (included) to end (excluded), in the zone;
 * never on a Japanese public holiday (with holidaysOff) or a closed day (dates in the zone).
 */
export function withinBusinessHours(at: Date, hours: BusinessHours): boolean {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: hours.timeZone,
    weekday: "short",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const date = `${part("year")}-${part("month")}-${part("day")}`;
  if (hours.holidaysOff && HOLIDAYS[date]) return false;
  if (hours.closed?.some((c) => c.from <= date && date <= c.to)) return false;
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(part("weekday"));
  const minutes = Number(part("hour")) * 60 + Number(part("minute"));
  const start = minutesOf(hours.start) ?? 0;
  const end = minutesOf(hours.end) ?? 0;
  return hours.days.includes(day) && minutes >= start && minutes < end;
}
