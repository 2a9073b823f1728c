import { type Pop3Command, TRANSACTION } from "../command";
import { ok } from "../replies";

/** Marks only; the message is hidden for this user at QUIT (see README: nothing is destroyed). */
export const dele: Pop3Command = {
  states: TRANSACTION,
  args: [{ name: "msg", kind: "number" }],
  async handle(session, [arg = ""]) {
    const message = session.message(arg);
    if (!("uid" in message)) return message;
    session.deleted.add(Number(arg));
    return ok(`message ${Number(arg)} deleted`);
  },
};
