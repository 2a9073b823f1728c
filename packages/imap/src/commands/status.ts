import { mailboxCounts, openMailbox } from "@madoguchi/core";
import { atomOf } from "../protocol/args";
import { astr, type Nested } from "../protocol/encode";
import { ParseError, type Token } from "../protocol/tokens";
import { findMailbox } from "../session/mailboxes";
import type { NamedMailbox } from "../session/namespace";
import type { ImapSession } from "../session/session";
import { AUTHED, command, no, ok } from "./types";

const ITEMS = new Set(["MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "SIZE", "HIGHESTMODSEQ"]);

export function parseStatusItems(tokens: Token[]): string[] {
  const items = tokens.map((t) => {
    const item = atomOf(t);
    if (!item || !ITEMS.has(item)) throw new ParseError(`Unknown STATUS item ${item ?? ""}`);
    return item;
  });
  if (!items.length) throw new ParseError("STATUS needs at least one item");
  return items;
}

/** `STATUS name (MESSAGES n …)`, counted for this user (\Seen is per user). */
export async function statusLine(
  session: ImapSession,
  box: NamedMailbox,
  items: string[],
): Promise<Nested[]> {
  const info = await openMailbox(session.ctx.db, session.userId, box.info.id);
  const needCounts = items.some((i) => i === "MESSAGES" || i === "UNSEEN" || i === "SIZE");
  const counts = needCounts
    ? await mailboxCounts(session.ctx, { userId: session.userId, mailboxId: box.info.id })
    : null;
  if (items.includes("HIGHESTMODSEQ")) session.condstore = true;
  const values: Record<string, number> = {
    MESSAGES: counts?.messages ?? 0,
    RECENT: 0,
    UIDNEXT: info.uidNext,
    UIDVALIDITY: info.uidValidity,
    UNSEEN: counts?.unseen ?? 0,
    SIZE: counts?.size ?? 0,
    HIGHESTMODSEQ: info.highestModseq,
  };
  return ["STATUS ", astr(box.wire), ` (${items.map((i) => `${i} ${values[i]}`).join(" ")})`];
}

export const status = command({
  name: "STATUS",
  states: AUTHED,
  parse(args) {
    const name = args.astring("mailbox");
    const items = parseStatusItems(args.list("status items"));
    args.end();
    return { name, items };
  },
  async handle(session, { name, items }) {
    const box = await findMailbox(session, name);
    if (!box) return no("No such mailbox", "NONEXISTENT");
    await session.untagged(await statusLine(session, box, items));
    return ok("STATUS completed");
  },
});
