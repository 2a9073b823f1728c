/**
 * Columns of text aligned for a terminal. Japanese names are common here, and a CJK character
 * takes two terminal cells, so widths are counted in cells, not in string length.
 */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(cellWidth(h), ...rows.map((r) => cellWidth(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat((widths[i] ?? 0) - cellWidth(c))))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

// East Asian Wide and Fullwidth ranges (UAX #11), enough for Japanese text.
const WIDE_RE =
  /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{20000}-\u{3FFFD}]/u;

export function cellWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE_RE.test(ch) ? 2 : 1;
  return width;
}

export function formatDate(date: Date): string {
  // Swedish locale formats as YYYY-MM-DD, in the machine's time zone.
  return date.toLocaleDateString("sv-SE");
}
