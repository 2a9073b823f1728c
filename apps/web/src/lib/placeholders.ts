/**
 * Template placeholders ({{customer.name}}). The server fills known ones when a template is
 * inserted (template.render); anything still written as {{…}} in the text at send time was
 * not filled and would reach the customer verbatim, so the send confirmation warns.
 */
const PLACEHOLDER_RE = /\{\{\s*([^{}\s]+)\s*\}\}/g;

export function placeholdersIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER_RE)) if (m[1]) found.add(m[1]);
  return [...found];
}

/** Placeholders left unfilled in the text (known or not): the send confirmation lists them. */
export function unfilledPlaceholders(...texts: string[]): string[] {
  return [...new Set(texts.flatMap(placeholdersIn))];
}

/** Placeholders a template uses that the server does not know (shown when editing templates). */
export function unknownPlaceholders(text: string, known: readonly string[]): string[] {
  return placeholdersIn(text).filter((p) => !known.includes(p));
}
