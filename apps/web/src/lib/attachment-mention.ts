/**
 * "添付します" with nothing attached is the classic mis-send. Words that mention an
 * attachment, Japanese and English; quoted lines (the customer's own text, "> ...") do not count.
 */
const MENTION_RE = /添付|同封|attach(?:ed|ment|ments|ing)?\b|enclosed/i;

export function mentionsAttachment(text: string): boolean {
  return text
    .split(/\r?\n/)
    .filter((line) => !/^\s*>/.test(line))
    .some((line) => MENTION_RE.test(line));
}

/** The warning applies when the text mentions an attachment and none is attached. */
export function shouldWarnMissingAttachment(text: string, attachmentCount: number): boolean {
  return attachmentCount === 0 && mentionsAttachment(text);
}
