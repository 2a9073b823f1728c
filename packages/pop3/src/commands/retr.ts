import { type Pop3Command, TRANSACTION } from "../command";
import { ok } from "../replies";

export const retr: Pop3Command = {
  states: TRANSACTION,
  args: [{ name: "msg", kind: "number" }],
  async handle(session, [arg = ""]) {
    const message = session.message(arg);
    if (!("uid" in message)) return message;
    const sent = await session.sendMessage(ok(`${message.size} octets`), message);
    const drop = session.drop;
    if (sent && drop && !message.seen) {
      // \Seen for this user only; teammates keep their own unread state.
      try {
        await session.options.store.markSeen(drop, message.uid);
        message.seen = true;
      } catch (error) {
        // The message went out already; a lost \Seen is not worth failing the session.
        session.options.onError(error);
      }
    }
    return undefined;
  },
};
