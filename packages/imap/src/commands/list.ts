import { type ArgReader, atomOf } from "../protocol/args";
import { astr, type Chunk } from "../protocol/encode";
import { ParseError, type Token } from "../protocol/tokens";
import { visibleMailboxes } from "../session/mailboxes";
import { DELIMITER, hasChildren, patternMatcher, withParents } from "../session/namespace";
import type { ImapSession } from "../session/session";
import { parseStatusItems, statusLine } from "./status";
import { AUTHED, command, ok, type Reply } from "./types";

interface ListArgs {
  reference: string;
  patterns: string[];
  specialUseOnly: boolean;
  returnSubscribed: boolean;
  returnStatus: string[] | null;
  lsub: boolean;
}

function parseList(args: ArgReader, lsub: boolean): ListArgs {
  let specialUseOnly = false;
  let subscribedOnly = false;
  const selection = lsub ? undefined : args.optionalList();
  for (const t of selection ?? []) {
    const opt = atomOf(t);
    if (opt === "SPECIAL-USE") specialUseOnly = true;
    else if (opt === "SUBSCRIBED") subscribedOnly = true;
    else if (opt !== "RECURSIVEMATCH" && opt !== "REMOTE") throw new ParseError(`Unknown LIST option ${opt}`);
  }
  const reference = args.astring("reference");
  const p = args.next("mailbox pattern");
  const patterns = p.type === "list" ? p.items.map(patternText) : [patternText(p)];
  let returnSubscribed = subscribedOnly;
  let returnStatus: string[] | null = null;
  if (!args.done && !lsub) {
    if (args.atom("RETURN") !== "RETURN") throw new ParseError("Expected RETURN");
    const opts = args.list("return options");
    for (let i = 0; i < opts.length; i++) {
      const opt = atomOf(opts[i]);
      if (opt === "SUBSCRIBED") returnSubscribed = true;
      else if (opt === "STATUS") {
        const items = opts[++i];
        if (items?.type !== "list") throw new ParseError("STATUS needs a list of items");
        returnStatus = parseStatusItems(items.items);
      } else if (opt !== "CHILDREN" && opt !== "SPECIAL-USE")
        throw new ParseError(`Unknown return option ${opt}`);
    }
  }
  args.end();
  return { reference, patterns, specialUseOnly, returnSubscribed, returnStatus, lsub };
}

function patternText(t: Token): string {
  if (t.type === "list") throw new ParseError("Invalid mailbox pattern");
  return t.value;
}

/**
 * LIST / LSUB with LIST-EXTENDED (RFC 5258), SPECIAL-USE (RFC 6154) and LIST-STATUS
 * (RFC 5819). Every folder counts as subscribed (see README), so LSUB lists the same folders.
 */
async function handleList(session: ImapSession, a: ListArgs): Promise<Reply> {
  const verb = a.lsub ? "LSUB" : "LIST";
  if (a.patterns.length === 1 && a.patterns[0] === "") {
    await session.untagged([`${verb} (\\Noselect) "${DELIMITER}" ""`]);
    return ok(`${verb} completed`);
  }
  const boxes = await visibleMailboxes(session);
  const entries = withParents(boxes);
  const names = entries.map((e) => e.wire);
  const matchers = a.patterns.map((p) => patternMatcher(a.reference + p));
  for (const entry of entries) {
    if (!matchers.some((m) => m(entry.wire))) continue;
    const use = entry.box?.info.specialUse;
    if (a.specialUseOnly && (!use || use === "\\Inbox")) continue;
    const attrs: string[] = [];
    if (!entry.box) attrs.push("\\Noselect");
    attrs.push(hasChildren(names, entry.wire) ? "\\HasChildren" : "\\HasNoChildren");
    if (use && use !== "\\Inbox" && !a.lsub) attrs.push(use);
    if (a.returnSubscribed && entry.box) attrs.push("\\Subscribed");
    const line: Chunk[] = [`${verb} (${attrs.join(" ")}) "${DELIMITER}" `, astr(entry.wire)];
    await session.untagged(line);
    if (a.returnStatus && entry.box)
      await session.untagged(await statusLine(session, entry.box, a.returnStatus));
  }
  return ok(`${verb} completed`);
}

export const listCmd = command<ListArgs>({
  name: "LIST",
  states: AUTHED,
  parse: (args) => parseList(args, false),
  handle: (session, a) => handleList(session, a),
});

export const lsub = command<ListArgs>({
  name: "LSUB",
  states: AUTHED,
  parse: (args) => parseList(args, true),
  handle: (session, a) => handleList(session, a),
});
