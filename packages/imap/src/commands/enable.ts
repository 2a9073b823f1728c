import { AUTHED, command, ok } from "./types";

const SUPPORTED = new Set(["CONDSTORE", "QRESYNC"]);

export const enable = command({
  name: "ENABLE",
  states: AUTHED,
  parse(args) {
    const names: string[] = [];
    while (!args.done) names.push(args.atom("capability"));
    if (!names.length) args.atom("capability");
    return names;
  },
  async handle(session, names) {
    const turnedOn: string[] = [];
    for (const name of names) {
      if (!SUPPORTED.has(name) || session.enabled.has(name)) continue;
      session.enabled.add(name);
      turnedOn.push(name);
      // QRESYNC implies CONDSTORE (RFC 7162 §3.2.3).
      if (name === "QRESYNC" && !session.enabled.has("CONDSTORE")) {
        session.enabled.add("CONDSTORE");
        turnedOn.push("CONDSTORE");
      }
    }
    if (session.enabled.has("CONDSTORE")) session.condstore = true;
    await session.untagged([`ENABLED${turnedOn.map((n) => ` ${n}`).join("")}`]);
    return ok("ENABLE completed");
  },
});
