/** Subject-fallback threading only merges mail this close in time (and from the same customer). */
export const SUBJECT_THREAD_WINDOW_MS = 72 * 60 * 60 * 1000;

/**
 * Reply and forward markers as mail clients in Japan and Europe write them. Matched after NFKC,
 * so "Ｒｅ：" and "Re：" arrive here as "Re:". A counter may follow: Re[2]:, Re^2:, Re(2):.
 */
const REPLY_WORDS = ["re", "aw", "sv", "vs", "antw", "返信"];
const FORWARD_WORDS = ["fwd", "fw", "wg", "tr", "転送"];
const prefixPattern = (words: string[]) =>
  new RegExp(`^(?:${words.join("|")})\\s*(?:\\[\\d+\\]|\\^\\d+|\\(\\d+\\))?\\s*:`, "iu");
const REPLY_PREFIX = prefixPattern(REPLY_WORDS);
const ANY_PREFIX = prefixPattern([...REPLY_WORDS, ...FORWARD_WORDS]);
/** Mailing-list tags such as "[info:01234]" or "[ml 12]"; 【重要】-style brackets are real subject text. */
const LIST_TAG = /^\[[^\]]*\]/u;

/** Drops leading list tags and reply/forward prefixes, in any order and any number. */
function stripPrefixes(
  subject: string,
  stopAtFirstPrefix: boolean,
): { rest: string; firstPrefix: string | null } {
  let rest = subject.trimStart();
  let firstPrefix: string | null = null;
  for (;;) {
    const match = LIST_TAG.exec(rest) ?? ANY_PREFIX.exec(rest);
    if (!match) break;
    if (match.index === 0 && !match[0].startsWith("[")) {
      firstPrefix ??= match[0];
      if (stopAtFirstPrefix) break;
    }
    rest = rest.slice(match[0].length).trimStart();
  }
  return { rest, firstPrefix };
}

/**
 * The subject reduced for comparison: NFKC (full-width letters and colons become ASCII,
 * half-width katakana becomes full-width), reply/forward prefixes and list tags stripped,
 * whitespace collapsed. Case is kept: clients do not change it, and the value stays readable.
 */
export function normalizeSubject(subject: string): string {
  const { rest } = stripPrefixes(subject.normalize("NFKC"), false);
  return rest.replace(/\s+/g, " ").trim();
}

/** True when the subject opens (after list tags) with a reply marker; a forward is not a reply. */
export function hasReplyPrefix(subject: string): boolean {
  const { firstPrefix } = stripPrefixes(subject.normalize("NFKC"), true);
  return firstPrefix !== null && REPLY_PREFIX.test(firstPrefix);
}
