import { AUTHORIZATION, type Pop3Command } from "../command";
import { LINE_TOO_LONG } from "../connection";
import { parseLoginName } from "../login-name";
import { err, ok } from "../replies";
import type { Pop3Session } from "../session";
import { requireTls } from "./tls-required";

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** RFC 5034 AUTH with the one mechanism offered, PLAIN (RFC 4616), with or without initial response. */
export const auth: Pop3Command = {
  states: AUTHORIZATION,
  args: [
    { name: "mechanism", kind: "word", optional: true },
    { name: "initial-response", kind: "word", optional: true },
  ],
  async handle(session, [mechanism, initial]) {
    if (mechanism === undefined) {
      // Pre-RFC 5034 clients (Outlook) send a bare AUTH to list the mechanisms.
      await session.sendLines(ok("SASL mechanisms follow"), session.secure ? ["PLAIN"] : []);
      return undefined;
    }
    if (mechanism.toUpperCase() !== "PLAIN") return err(`unsupported SASL mechanism ${mechanism}`);
    const refused = requireTls(session);
    if (refused) return refused;
    const response = initial ?? (await continuation(session));
    if (response === undefined) return undefined;
    if (response === "*") return err("authentication cancelled");
    return session.logIn(...decodePlain(response));
  },
};

/** Sends the empty challenge ("+ ") and reads the client's answer line. */
async function continuation(session: Pop3Session): Promise<string | undefined> {
  await session.conn.write("+ \r\n");
  const line = await session.conn.nextLine();
  if (line === null) {
    session.closing = true;
    return undefined;
  }
  return line === LINE_TOO_LONG ? "" : line.trim();
}

function decodePlain(response: string): Parameters<Pop3Session["logIn"]> {
  // "=" is an empty initial response (RFC 4954 style), which PLAIN cannot accept.
  const text =
    response === "=" || !BASE64_RE.test(response) ? "" : Buffer.from(response, "base64").toString();
  const parts = text.split("\0");
  if (parts.length !== 3) return [undefined, ""];
  const [authzid = "", authcid = "", password = ""] = parts;
  return [parseLoginName(authcid, authzid), password];
}
