import { AUTHORIZATION, type Pop3Command } from "../command";
import { err } from "../replies";

/** RFC 2595 §4: only in AUTHORIZATION, once per connection. */
export const stls: Pop3Command = {
  states: AUTHORIZATION,
  args: [],
  async handle(session) {
    if (session.secure) return err("TLS is already active");
    const context = session.options.tlsContext;
    if (!context) return err("STLS is not available on this server");
    session.pendingUser = undefined;
    if (!(await session.conn.startTls("+OK begin TLS negotiation\r\n", context))) session.closing = true;
    return undefined;
  },
};
