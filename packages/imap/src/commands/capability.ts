import { ANY, command, ok } from "./types";

export const capability = command({
  name: "CAPABILITY",
  states: ANY,
  parse: (args) => args.end(),
  async handle(session) {
    await session.untagged([`CAPABILITY ${session.capabilities().join(" ")}`]);
    return ok("CAPABILITY completed");
  },
});
