import { ParseError } from "./tokens";

/** One range of a sequence set; `Infinity` stands for "*" until resolved against a mailbox. */
export interface Range {
  from: number;
  to: number;
}

/** A parsed sequence set, or `$` (SEARCHRES: the result saved by the last SEARCH … SAVE). */
export type SequenceSet = { saved: false; ranges: Range[] } | { saved: true };

const MAX_RANGES = 10_000;

export function parseSequenceSet(text: string): SequenceSet {
  if (text === "$") return { saved: true };
  const parts = text.split(",");
  if (parts.length > MAX_RANGES) throw new ParseError("Sequence set too long");
  const ranges = parts.map((part) => {
    const m = /^(\d+|\*)(?::(\d+|\*))?$/.exec(part);
    if (!m) throw new ParseError(`Invalid sequence set: ${text.slice(0, 40)}`);
    const a = toN(m[1] as string);
    const b = m[2] === undefined ? a : toN(m[2]);
    return { from: Math.min(a, b), to: Math.max(a, b) };
  });
  return { saved: false, ranges };
}

function toN(s: string): number {
  if (s === "*") return Number.POSITIVE_INFINITY;
  const n = Number(s);
  if (n < 1 || n > 2 ** 32 - 1) throw new ParseError("Sequence number out of range");
  return n;
}

/** Whether `n` falls in the set, with "*" meaning `largest`. */
export function inRanges(ranges: Range[], n: number, largest: number): boolean {
  for (const r of ranges) {
    const from = r.from === Number.POSITIVE_INFINITY ? largest : r.from;
    const to = r.to === Number.POSITIVE_INFINITY ? largest : r.to;
    if (n >= Math.min(from, to) && n <= Math.max(from, to)) return true;
  }
  return false;
}

/** Compact "1:3,5,9:10" form of sorted unique numbers (COPYUID, ESEARCH ALL, VANISHED). */
export function formatSet(numbers: number[]): string {
  const sorted = [...numbers].sort((a, b) => a - b);
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] as number;
    let end = start;
    while (i + 1 < sorted.length && (sorted[i + 1] as number) <= end + 1) {
      i++;
      end = sorted[i] as number;
    }
    out.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return out.join(",");
}

/** COPYUID wants the pairs in the same order on both sides, so no sorting there. */
export function formatList(numbers: number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    const start = numbers[i] as number;
    let end = start;
    while (i + 1 < numbers.length && numbers[i + 1] === end + 1) {
      i++;
      end = numbers[i] as number;
    }
    out.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return out.join(",");
}
