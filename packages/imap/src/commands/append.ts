import { appendMessage } from "@madoguchi/core";
import { parseDateTime } from "../protocol/dates";
import { ParseError } from "../protocol/tokens";
import { findMailbox } from "../session/mailboxes";
import { parseFlag } from "./store";
import { AUTHED, command, no, ok } from "./types";

/** APPEND: OK only once the message is durable (core resolves after fsync and commit). */
export const append = command({
  name: "APPEND",
  states: AUTHED,
  parse(args) {
    const name = args.astring("mailbox");
    const list = args.optionalList();
    const flags = (list ?? []).map((t) => parseFlag(t));
    let date: Date | undefined;
    let t = args.next("message literal");
    if (t.type === "string" && !t.literal) {
      date = parseDateTime(t.value);
      t = args.next("message literal");
    }
    if (t.type !== "string" || !t.literal) throw new ParseError("APPEND needs the message as a literal");
    if (!t.bytes.length) throw new ParseError("Empty message");
    args.end();
    return { name, flags: flags.filter((f) => f !== "\\Recent"), date, raw: t.bytes };
  },
  async handle(session, a) {
    const target = await findMailbox(session, a.name);
    if (!target) return no("No such mailbox", "TRYCREATE");
    const r = await appendMessage(session.ctx, {
      userId: session.userId,
      mailboxId: target.info.id,
      raw: a.raw,
      flags: a.flags,
      internalDate: a.date,
    });
    if (session.selected?.info.id === target.info.id) session.selected.dirty = true;
    return ok("APPEND completed", `APPENDUID ${r.uidValidity} ${r.uid}`);
  },
});
