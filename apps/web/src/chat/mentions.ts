export interface MentionCandidate {
  userId: number;
  name: string;
  email: string;
}

/** The "@query" being typed just before the caret, if any (same boundaries the server accepts). */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|[\s(（、。])@([^\s@]*)$/.exec(before);
  if (!m) return null;
  const query = m[2] ?? "";
  return { start: caret - query.length - 1, query };
}

/** Members matching the query by name or address, best first (prefix matches before others). */
export function matchMembers(
  members: readonly MentionCandidate[],
  query: string,
  limit = 6,
): MentionCandidate[] {
  const q = query.toLowerCase();
  const scored = members
    .map((m) => {
      const name = m.name.toLowerCase();
      const email = m.email.toLowerCase();
      const score = !q
        ? 1
        : name.startsWith(q) || email.startsWith(q)
          ? 2
          : name.includes(q) || email.includes(q)
            ? 1
            : 0;
      return { m, score };
    })
    .filter((x) => x.score > 0);
  scored.sort((a, b) => b.score - a.score || a.m.name.localeCompare(b.m.name));
  return scored.slice(0, limit).map((x) => x.m);
}

/**
 * The token inserted for a member: the local part ("@tanaka"), or the whole address when
 * another member shares that local part, so the server resolves exactly one person.
 */
export function mentionToken(member: MentionCandidate, members: readonly MentionCandidate[]): string {
  const local = (member.email.split("@")[0] ?? member.email).toLowerCase();
  const clash = members.some(
    (m) => m.userId !== member.userId && (m.email.split("@")[0] ?? "").toLowerCase() === local,
  );
  return `@${clash ? member.email : local}`;
}

export function insertMention(
  text: string,
  at: { start: number; query: string },
  token: string,
): { text: string; caret: number } {
  const end = at.start + 1 + at.query.length;
  const next = `${text.slice(0, at.start)}${token} ${text.slice(end)}`;
  return { text: next, caret: at.start + token.length + 1 };
}
