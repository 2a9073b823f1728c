/**
 * The times offered for later (送信予約, スヌーズ), in the browser's local time as the
 * <input type="datetime-local"> that lets one choose another is.
 */

const MORNING_HOUR = 9;

/** A date as <input type="datetime-local"> takes it: local time, to the minute. */
export function localInputValue(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** 9:00 `days` days after `now`'s day. */
export function morningAfter(days: number, now = new Date()): Date {
  const d = new Date(now);
  d.setDate(d.getDate() + days);
  d.setHours(MORNING_HOUR, 0, 0, 0);
  return d;
}

/** 9:00 on the next weekday, when the customer's office opens (送信予約's first offer). */
export function nextWorkingMorning(now = new Date()): Date {
  const d = morningAfter(1, now);
  while (d.getDay() === 0 || d.getDay() === 6) d.setDate(d.getDate() + 1);
  return d;
}

/** 9:00 on the coming Monday, a week on if today is one (来週月曜). */
export function nextMondayMorning(now = new Date()): Date {
  return morningAfter((8 - now.getDay()) % 7 || 7, now);
}

/** `hours` from `now`. */
export function hoursAfter(hours: number, now = new Date()): Date {
  return new Date(now.getTime() + hours * 60 * 60 * 1000);
}
