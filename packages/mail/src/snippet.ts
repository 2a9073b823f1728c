export const SNIPPET_LENGTH = 200;

/**
 * The preview line shown in the inbox list: visible text only. Quoted reply lines ("> ...")
 * and everything after a signature separator ("-- ") are dropped, whitespace (full-width
 * spaces included) is collapsed, and the cut never splits a surrogate pair.
 */
export function makeSnippet(text: string, length = SNIPPET_LENGTH): string {
  const lines = text.split(/\r?\n/);
  const signature = lines.findIndex((line) => line === "-- " || line === "--");
  const visible = (signature >= 0 ? lines.slice(0, signature) : lines).filter(
    (line) => !/^\s*(?:>|＞)/.test(line),
  );
  const collapsed = visible.join(" ").replace(/\s+/g, " ").trim();
  return Array.from(collapsed).slice(0, length).join("");
}
