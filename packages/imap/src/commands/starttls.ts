import { bad, command, NOT_AUTHED, ok } from "./types";

export const starttls = command({
  name: "STARTTLS",
  states: NOT_AUTHED,
  parse: (args) => args.end(),
  async handle(session) {
    if (session.secure) return bad("Already using TLS");
    if (!session.shared.secureContext) return bad("TLS is not available");
    // The handshake starts once the tagged OK has left in clear text.
    session.afterReply = () => session.upgradeToTls();
    return ok("Begin TLS negotiation now");
  },
});
