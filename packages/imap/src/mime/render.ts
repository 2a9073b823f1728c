import { type Chunk, flatten, nstr, str } from "../protocol/encode";
import { type EnvelopeAddress, parseAddressList } from "./address";
import { type HeaderField, headerValue } from "./header";
import type { MimeNode } from "./structure";

/** Header values are latin1 strings of the raw bytes: sent back as those same bytes. */
const raw = (v: string | null): Chunk => (v === null ? "NIL" : str(Buffer.from(v, "latin1")));

function addresses(list: EnvelopeAddress[] | null): Chunk[] {
  if (!list) return ["NIL"];
  const out: Chunk[] = ["("];
  for (const a of list) {
    out.push("(", raw(a.name), " ", raw(a.adl), " ", raw(a.mailbox), " ", raw(a.host), ")");
  }
  out.push(")");
  return out;
}

/** ENVELOPE (RFC 3501 §7.4.2) of a message-level entity, from its raw header. */
export function renderEnvelope(fields: HeaderField[]): Chunk[] {
  const h = (name: string) => headerValue(fields, name);
  const from = parseAddressList(h("from"));
  const sender = parseAddressList(h("sender")) ?? from;
  const replyTo = parseAddressList(h("reply-to")) ?? from;
  return flatten([
    "(",
    raw(h("date")),
    " ",
    raw(h("subject")),
    " ",
    addresses(from),
    " ",
    addresses(sender),
    " ",
    addresses(replyTo),
    " ",
    addresses(parseAddressList(h("to"))),
    " ",
    addresses(parseAddressList(h("cc"))),
    " ",
    addresses(parseAddressList(h("bcc"))),
    " ",
    raw(h("in-reply-to")),
    " ",
    raw(h("message-id")),
    ")",
  ]);
}

function params(list: [string, string][]): Chunk[] {
  if (!list.length) return ["NIL"];
  const out: Chunk[] = ["("];
  list.forEach(([k, v], i) => {
    if (i) out.push(" ");
    out.push(str(k), " ", str(Buffer.from(v, "latin1")));
  });
  out.push(")");
  return out;
}

function disposition(node: MimeNode): Chunk[] {
  if (!node.disposition) return ["NIL"];
  return ["(", str(node.disposition.value), " ", ...params(node.disposition.params), ")"];
}

function language(node: MimeNode): Chunk[] {
  if (!node.language) return ["NIL"];
  const langs = node.language
    .split(",")
    .map((l) => l.trim())
    .filter(Boolean);
  if (langs.length === 1) return [raw(langs[0] as string)];
  return ["(", ...langs.flatMap((l, i) => (i ? [" ", raw(l)] : [raw(l)])), ")"];
}

/**
 * BODYSTRUCTURE (extensible = true) or BODY (false) of an entity, exact for nested multiparts
 * and message/rfc822 (which carries the embedded message's ENVELOPE and structure).
 */
export function renderStructure(node: MimeNode, extensible: boolean): Chunk[] {
  if (node.type === "multipart") {
    const out: Chunk[] = ["("];
    for (const child of node.children) out.push(...renderStructure(child, extensible));
    out.push(" ", str(node.subtype));
    if (extensible) {
      out.push(
        " ",
        ...params(node.params),
        " ",
        ...disposition(node),
        " ",
        ...language(node),
        " ",
        raw(node.location),
      );
    }
    out.push(")");
    return flatten(out);
  }
  const out: Chunk[] = [
    "(",
    str(node.type),
    " ",
    str(node.subtype),
    " ",
    ...params(node.params),
    " ",
    raw(node.id),
    " ",
    raw(node.description),
    " ",
    str(node.encoding),
    " ",
    String(node.end - node.bodyStart),
  ];
  if (node.message?.fields) {
    out.push(" ", ...renderEnvelope(node.message.fields), " ", ...renderStructure(node.message, extensible));
    out.push(" ", String(node.lines));
  } else if (node.type === "text") {
    out.push(" ", String(node.lines));
  }
  if (extensible) {
    out.push(" ", raw(node.md5), " ", ...disposition(node), " ", ...language(node), " ", raw(node.location));
  }
  out.push(")");
  return flatten(out);
}

export { nstr };
