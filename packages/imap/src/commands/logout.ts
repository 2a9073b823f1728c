import { ANY, command, ok } from "./types";

export const logout = command({
  name: "LOGOUT",
  states: ANY,
  parse: (args) => args.end(),
  async handle(session) {
    await session.untagged(["BYE Logging out"]);
    session.select(null);
    session.state = "logout";
    return ok("LOGOUT completed");
  },
});
