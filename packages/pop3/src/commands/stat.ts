import { type Pop3Command, TRANSACTION } from "../command";
import { ok } from "../replies";

export const stat: Pop3Command = {
  states: TRANSACTION,
  args: [],
  async handle(session) {
    const { count, size } = session.totals();
    return ok(`${count} ${size}`);
  },
};
