/**
 * A deliberately small markdown: paragraphs, line breaks, **bold**, *italic*, `code`,
 * "- " lists, "> " quotes and bare links. The source text itself is the plain-text
 * alternative, so the HTML part adds formatting and never content.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'）」』】]+[^\s<>"'）」』】.,;:!?。、]/g;

function inline(text: string): string {
  let out = escapeHtml(text);
  out = out.replace(/`([^`]+)`/g, "<code>$1</code>");
  out = out.replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
  out = out.replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>");
  // Links are found in the escaped text; &#38; inside a URL stays escaped in the href, which is right.
  out = out.replace(URL_RE, (url) => `<a href="${url}">${url}</a>`);
  return out;
}

export function markdownToHtml(source: string): string {
  const blocks = source.replace(/\r\n/g, "\n").split(/\n{2,}/);
  const html = blocks.map((block) => {
    const lines = block.split("\n");
    if (lines.every((l) => /^\s*[-*・]\s+/.test(l)))
      return `<ul>${lines.map((l) => `<li>${inline(l.replace(/^\s*[-*・]\s+/, ""))}</li>`).join("")}</ul>`;
    if (lines.every((l) => /^\s*>/.test(l)))
      return `<blockquote>${lines.map((l) => inline(l.replace(/^\s*>\s?/, ""))).join("<br>")}</blockquote>`;
    return `<p>${lines.map(inline).join("<br>")}</p>`;
  });
  return `<div style="font-family:sans-serif;line-height:1.6">${html.join("\n")}</div>`;
}

/** Splits plain text into text and link parts, for rendering plain-text mail with clickable links. */
export function linkParts(text: string): { text: string; href?: string }[] {
  const parts: { text: string; href?: string }[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const start = m.index ?? 0;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ text: m[0], href: m[0] });
    last = start + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
