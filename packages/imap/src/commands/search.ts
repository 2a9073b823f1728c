import { str } from "../protocol/encode";
import { formatSet } from "../protocol/sequence";
import { BadCharsetError, isKnownCharset, SEARCH_CHARSETS } from "../search/charset";
import { parseSearchArgs, type SearchArgs } from "../search/criteria";
import { runSearch, usesModseq } from "../search/evaluate";
import type { ImapSession } from "../session/session";
import { command, no, ok, type Reply, SELECTED } from "./types";

/** SEARCH / UID SEARCH, with ESEARCH (RFC 4731) RETURN options and SEARCHRES (RFC 5182) SAVE. */
async function run(session: ImapSession, a: SearchArgs, tag: string, byUid: boolean): Promise<Reply> {
  const view = session.selected;
  if (!view) return no("No mailbox selected");
  if (!isKnownCharset(a.charset))
    return no("Unsupported charset", `BADCHARSET (${SEARCH_CHARSETS.join(" ")})`);
  let result: Awaited<ReturnType<typeof runSearch>>;
  try {
    result = await runSearch(session, view, a.criteria, a.charset);
  } catch (err) {
    if (err instanceof BadCharsetError)
      return no("Unsupported charset", `BADCHARSET (${SEARCH_CHARSETS.join(" ")})`);
    throw err;
  }
  const { uids, metas } = result;
  const withModseq = usesModseq(a.criteria);
  if (withModseq) session.condstore = true;
  const highest = withModseq && uids.length ? Math.max(...uids.map((u) => metas?.get(u)?.modseq ?? 0)) : null;
  const numbers = byUid ? uids : uids.map((u) => view.seqOf(u));
  if (a.returns) {
    const returns = new Set(a.returns);
    if (returns.has("SAVE")) session.savedSearch = uids;
    // SAVE alone asks for no ESEARCH response (RFC 5182 §2.4).
    if (returns.size === 1 && returns.has("SAVE")) return ok("SEARCH completed");
    const parts: string[] = [];
    if (byUid) parts.push("UID");
    if (numbers.length) {
      if (returns.has("MIN")) parts.push(`MIN ${Math.min(...numbers)}`);
      if (returns.has("MAX")) parts.push(`MAX ${Math.max(...numbers)}`);
      if (returns.has("ALL")) parts.push(`ALL ${formatSet(numbers)}`);
    }
    if (returns.has("COUNT")) parts.push(`COUNT ${numbers.length}`);
    if (highest !== null) parts.push(`MODSEQ ${highest}`);
    await session.untagged(["ESEARCH (TAG ", str(tag), ")", parts.length ? ` ${parts.join(" ")}` : ""]);
    return ok("SEARCH completed");
  }
  await session.untagged([
    `SEARCH${numbers.map((n) => ` ${n}`).join("")}`,
    highest !== null ? ` (MODSEQ ${highest})` : "",
  ]);
  return ok("SEARCH completed");
}

export const search = command<SearchArgs>({
  name: "SEARCH",
  states: SELECTED,
  parse: (args) => parseSearchArgs(args.rest()),
  handle: (session, a, tag) => run(session, a, tag, false),
  expungeSafe: false,
});

export const uidSearch = command<SearchArgs>({
  name: "UID SEARCH",
  states: SELECTED,
  parse: (args) => parseSearchArgs(args.rest()),
  handle: (session, a, tag) => run(session, a, tag, true),
});
