import { SHARED_ROOT } from "../session/namespace";
import { AUTHED, command, ok } from "./types";

export const namespace = command({
  name: "NAMESPACE",
  states: AUTHED,
  parse: (args) => args.end(),
  async handle(session) {
    await session.untagged([`NAMESPACE (("" "/")) NIL (("${SHARED_ROOT}/" "/"))`]);
    return ok("NAMESPACE completed");
  },
});
