import { ANY_STATE, type Pop3Command } from "../command";
import { ok } from "../replies";

/**
 * RFC 2449. USER and SASL PLAIN are listed only once the connection is encrypted, because
 * they are refused before (as Dovecot does with disable_plaintext_auth); STLS only while it
 * can still be used.
 */
export const capa: Pop3Command = {
  states: ANY_STATE,
  args: [],
  async handle(session) {
    const lines = ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE NEVER"];
    if (session.state === "AUTHORIZATION" && session.canStartTls) lines.push("STLS");
    if (session.secure) lines.push("USER", "SASL PLAIN");
    lines.push("IMPLEMENTATION Madoguchi");
    await session.sendLines(ok("capability list follows"), lines);
    return undefined;
  },
};
