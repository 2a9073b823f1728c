import type { MessageKey, Messages } from "./ja";

export type Lang = "ja" | "en";
export type Params = Record<string, string | number>;

/** Fills {name} placeholders; a missing parameter stays visible as {name} rather than vanishing. */
export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in params ? String(params[key]) : whole,
  );
}

export function translate(messages: Messages, key: MessageKey, params?: Params): string {
  return interpolate(messages[key], params);
}

/** The placeholders a message uses, for the ja/en parity test. */
export function paramsOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();
}

/** Dates in the user's time zone and language; falls back to the browser's zone if the stored one is invalid. */
export function dateFormatter(lang: Lang, timeZone: string | undefined) {
  const locale = lang === "ja" ? "ja-JP" : "en-US";
  const make = (opts: Intl.DateTimeFormatOptions) => {
    try {
      return new Intl.DateTimeFormat(locale, { ...opts, timeZone });
    } catch {
      return new Intl.DateTimeFormat(locale, opts);
    }
  };
  const time = make({ hour: "2-digit", minute: "2-digit" });
  const day = make({ month: "numeric", day: "numeric" });
  const dayTime = make({ month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
  const full = make({
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
  const dayKey = make({ year: "numeric", month: "2-digit", day: "2-digit" });
  return {
    /** Full date and time, e.g. 2025/3/4 09:05. */
    full: (iso: string | Date) => full.format(new Date(iso)),
    /** List style: the time today, the date otherwise (in the user's zone). */
    short: (iso: string | Date, now: Date = new Date()) => {
      const d = new Date(iso);
      return dayKey.format(d) === dayKey.format(now) ? time.format(d) : day.format(d);
    },
    time: (iso: string | Date) => time.format(new Date(iso)),
    /** Day and time without the year, e.g. 12/1 09:00: a time to come, at most a year ahead (スヌーズ). */
    dayTime: (iso: string | Date) => dayTime.format(new Date(iso)),
  };
}
