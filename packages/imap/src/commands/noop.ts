import { ANY, command, ok } from "./types";

/** NOOP (and CHECK): the moment to report what other sessions changed. */
export const noop = command({
  name: "NOOP",
  states: ANY,
  parse: (args) => args.end(),
  async handle(session) {
    if (session.selected) await session.refresh(true, true);
    return ok("NOOP completed");
  },
});

export const check = command({ ...noop, name: "CHECK", states: ["selected"] as const });
