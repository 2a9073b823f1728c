import { type Pop3Command, TRANSACTION } from "../command";
import { ok } from "../replies";

export const rset: Pop3Command = {
  states: TRANSACTION,
  args: [],
  async handle(session) {
    session.deleted.clear();
    const { count, size } = session.totals();
    return ok(`maildrop has ${count} messages (${size} octets)`);
  },
};
