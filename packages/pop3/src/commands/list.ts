import { type Pop3Command, TRANSACTION } from "../command";
import { ok } from "../replies";

export const list: Pop3Command = {
  states: TRANSACTION,
  args: [{ name: "msg", kind: "number", optional: true }],
  async handle(session, [arg]) {
    if (arg !== undefined) {
      const message = session.message(arg);
      return "uid" in message ? ok(`${Number(arg)} ${message.size}`) : message;
    }
    const { count, size } = session.totals();
    const lines = session.live().map((m) => `${m.number} ${m.message.size}`);
    await session.sendLines(ok(`${count} messages (${size} octets)`), lines);
    return undefined;
  },
};
