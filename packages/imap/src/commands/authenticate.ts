import { authenticateUser } from "./login";
import { bad, command, NOT_AUTHED, no } from "./types";

/** AUTHENTICATE PLAIN (RFC 4616), with SASL-IR (RFC 4959) initial response. */
export const authenticate = command({
  name: "AUTHENTICATE",
  states: NOT_AUTHED,
  parse(args) {
    const mechanism = args.atom("mechanism");
    const initial = args.done ? null : args.astring("initial response");
    args.end();
    return { mechanism, initial };
  },
  async handle(session, { mechanism, initial }) {
    if (mechanism !== "PLAIN") return no(`Unsupported mechanism ${mechanism}`, "CANNOT");
    if (!session.authAllowed) return no("Log in over TLS (STARTTLS or port 993)", "PRIVACYREQUIRED");
    let response = initial;
    if (response === null) {
      await session.out.line(["+ "]);
      await session.out.flush();
      response = await session.waitLine();
      if (response === null) return no("Connection closed");
    }
    if (response.trim() === "*") return bad("Authentication cancelled");
    // "=" is the SASL-IR spelling of an empty initial response.
    const text = response.trim() === "=" ? "" : response.trim();
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return bad("Invalid base64");
    const parts = Buffer.from(text, "base64").toString("utf8").split("\u0000");
    if (parts.length !== 3) return bad("Invalid PLAIN response");
    const [authzid, authcid, password] = parts as [string, string, string];
    if (authzid && authzid.toLowerCase() !== authcid.toLowerCase())
      return no("Acting as another user is not supported", "AUTHORIZATIONFAILED");
    return authenticateUser(session, authcid, password);
  },
});
