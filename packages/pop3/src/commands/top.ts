import { type Pop3Command, TRANSACTION } from "../command";
import { ok } from "../replies";

/** Header and the first n body lines; unlike RETR it leaves \Seen alone. */
export const top: Pop3Command = {
  states: TRANSACTION,
  args: [
    { name: "msg", kind: "number" },
    { name: "n", kind: "number" },
  ],
  async handle(session, [arg = "", lines = "0"]) {
    const message = session.message(arg);
    if (!("uid" in message)) return message;
    await session.sendMessage(ok("top of message follows"), message, Number(lines));
    return undefined;
  },
};
