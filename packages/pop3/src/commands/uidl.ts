import { type Pop3Command, TRANSACTION } from "../command";
import { ok } from "../replies";

export const uidl: Pop3Command = {
  states: TRANSACTION,
  args: [{ name: "msg", kind: "number", optional: true }],
  async handle(session, [arg]) {
    if (arg !== undefined) {
      const message = session.message(arg);
      return "uid" in message ? ok(`${Number(arg)} ${session.uidl(message)}`) : message;
    }
    const lines = session.live().map((m) => `${m.number} ${session.uidl(m.message)}`);
    await session.sendLines(ok("unique-id listing follows"), lines);
    return undefined;
  },
};
