export const SNIPPET_LENGTH = 200;

/**
 * The preview line shown in the inbox list: visible text only. Quoted reply lines ("> ...")
 * and everything after a signature separator ("-- ") are dropped, whitespace (full-width
 * spaces included) is collapsed, and the cut never splits a surrogate pair. Reads lines only
 * until the preview is full: splitting a whole 100 KB text took 1.4 ms per message.
 */
export function makeSnippet(text: string, length = SNIPPET_LENGTH): string {
  let collapsed = "";
  // 2 × length UTF-16 units hold at least `length` characters, after a trim of one space.
  for (let start = 0; start <= text.length && collapsed.length <= 2 * length; ) {
    const newline = text.indexOf("\n", start);
    const end = newline >= 0 ? newline : text.length;
    // "\r\n" ends a line; a lone "\r" is part of it.
    const line = text.slice(start, newline > start && text[newline - 1] === "\r" ? newline - 1 : end);
    start = end + 1;
    if (line === "-- " || line === "--") break;
    if (/^\s*(?:>|＞)/.test(line)) continue;
    collapsed = `${collapsed} ${line}`.replace(/\s+/g, " ");
  }
  return Array.from(collapsed.trim()).slice(0, length).join("");
}
