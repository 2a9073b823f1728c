const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** RFC 5322 date-time in UTC: "Fri, 27 Nov 2026 01:00:00 +0000". */
export function rfc5322Date(date: Date): string {
  return (
    `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

/** Keeps a client-supplied value from breaking the header it is put into. */
const clean = (value: string) => value.replace(/[\r\n()<>;\\]/g, "").slice(0, 255);

/** The Received trace line of RFC 5321 §4.4, one per hop. */
export function receivedHeader(input: {
  helo: string;
  ip: string;
  by: string;
  protocol: string;
  id: string;
  /** Only given for a single recipient, so one recipient's copy does not reveal the others. */
  recipient?: string;
  date: Date;
}): string {
  const forPart = input.recipient ? `\r\n\tfor <${clean(input.recipient)}>` : "";
  return (
    `Received: from ${clean(input.helo) || "unknown"} ([${input.ip}])\r\n` +
    `\tby ${input.by} (Madoguchi) with ${input.protocol} id ${clean(input.id)}${forPart};\r\n` +
    `\t${rfc5322Date(input.date)}\r\n`
  );
}
