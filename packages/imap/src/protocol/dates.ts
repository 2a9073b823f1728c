import { ParseError } from "./tokens";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * The zone in which dates are shown (INTERNALDATE) and in which SEARCH compares calendar days
 * ("disregarding time and timezone", RFC 3501 §6.4.4): Japan, where our users work.
 */
export const SERVER_ZONE_MINUTES = 9 * 60;

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** date-time: "17-Jul-1996 02:44:25 -0700" (day space-padded). */
export function formatInternalDate(date: Date, zoneMinutes = SERVER_ZONE_MINUTES): string {
  const d = new Date(date.getTime() + zoneMinutes * 60_000);
  const sign = zoneMinutes < 0 ? "-" : "+";
  const z = Math.abs(zoneMinutes);
  return `${String(d.getUTCDate()).padStart(2, " ")}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${sign}${pad(Math.floor(z / 60))}${pad(z % 60)}`;
}

/** APPEND date-time. */
export function parseDateTime(text: string): Date {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  const month = m ? monthIndex(m[2] as string) : -1;
  if (!m || month < 0) throw new ParseError(`Invalid date-time: ${text.slice(0, 40)}`);
  const offset = (m[7] === "-" ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  return new Date(utc - offset * 60_000);
}

/** SEARCH date: "1-Feb-1994" → the start instant of that day in the server zone. */
export function parseSearchDate(text: string, zoneMinutes = SERVER_ZONE_MINUTES): Date {
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  const month = m ? monthIndex(m[2] as string) : -1;
  if (!m || month < 0) throw new ParseError(`Invalid date: ${text.slice(0, 40)}`);
  return new Date(Date.UTC(Number(m[3]), month, Number(m[1])) - zoneMinutes * 60_000);
}

export const DAY_MS = 86_400_000;

function monthIndex(name: string): number {
  return MONTHS.findIndex((m) => m.toLowerCase() === name.toLowerCase());
}
