import { str } from "../protocol/encode";
import { ParseError } from "../protocol/tokens";
import { ANY, command, ok } from "./types";

/** ID (RFC 2971): we accept the client's and answer with our name only (no version: less to fingerprint). */
export const id = command({
  name: "ID",
  states: ANY,
  parse(args) {
    const t = args.next("client parameters");
    if (!(t.type === "list" || (t.type === "atom" && t.value.toUpperCase() === "NIL")))
      throw new ParseError("ID expects a list or NIL");
    if (t.type === "list" && (t.items.length > 60 || t.items.length % 2))
      throw new ParseError("Invalid ID list");
    args.end();
  },
  async handle(session) {
    await session.untagged([
      "ID (",
      str("name"),
      " ",
      str("Madoguchi"),
      " ",
      str("vendor"),
      " ",
      str("Madoguchi"),
      ")",
    ]);
    return ok("ID completed");
  },
});
