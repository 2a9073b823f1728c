import { type Pop3Command, TRANSACTION } from "../command";
import { ok } from "../replies";

export const noop: Pop3Command = {
  states: TRANSACTION,
  args: [],
  async handle() {
    return ok("");
  },
};
