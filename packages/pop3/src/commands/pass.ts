import { AUTHORIZATION, type Pop3Command } from "../command";
import { parseLoginName } from "../login-name";
import { err } from "../replies";
import { requireTls } from "./tls-required";

export const pass: Pop3Command = {
  states: AUTHORIZATION,
  // The whole rest of the line: passwords may contain spaces.
  args: [{ name: "password", kind: "rest" }],
  async handle(session, [password = ""]) {
    const refused = requireTls(session);
    if (refused) return refused;
    const name = session.pendingUser;
    if (name === undefined) return err("send USER first");
    session.pendingUser = undefined;
    return session.logIn(parseLoginName(name), password);
  },
};
