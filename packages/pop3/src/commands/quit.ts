import { ANY_STATE, type Pop3Command } from "../command";
import { err, ok } from "../replies";

/** In TRANSACTION this is the UPDATE state: DELE'd messages are hidden for this user, then bye. */
export const quit: Pop3Command = {
  states: ANY_STATE,
  args: [],
  async handle(session) {
    session.closing = true;
    const drop = session.drop;
    if (session.state !== "TRANSACTION" || !drop) return ok("bye");
    session.state = "UPDATE";
    const uids = [...session.deleted].flatMap((n) => drop.messages[n - 1]?.uid ?? []);
    try {
      await session.options.store.hide(drop, uids);
    } catch (error) {
      session.options.onError(error);
      return err("deleted messages could not be removed; they remain in the maildrop", "SYS/TEMP");
    }
    return ok(`Madoguchi POP3 signing off (${uids.length} messages deleted)`);
  },
};
