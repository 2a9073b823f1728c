import { AUTHORIZATION, type Pop3Command } from "../command";
import { MAX_LOGIN_NAME_LENGTH } from "../limits";
import { err, ok } from "../replies";
import { requireTls } from "./tls-required";

export const user: Pop3Command = {
  states: AUTHORIZATION,
  args: [{ name: "name", kind: "rest" }],
  async handle(session, [name = ""]) {
    const refused = requireTls(session);
    if (refused) return refused;
    if (name.length > MAX_LOGIN_NAME_LENGTH) return err("user name too long");
    session.pendingUser = name;
    // The same answer for every name: whether it exists is told by PASS, together with the password.
    return ok("send PASS");
  },
};
