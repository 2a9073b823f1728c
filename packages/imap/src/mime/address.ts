/** One address of an ENVELOPE: (name adl mailbox host); a group is marked by host = null. */
export interface EnvelopeAddress {
  name: string | null;
  adl: string | null;
  mailbox: string | null;
  host: string | null;
}

type Tok =
  | { kind: "word"; text: string }
  | { kind: "quoted"; text: string }
  | { kind: "comment"; text: string }
  | { kind: "special"; text: string };

function tokenizeAddresses(value: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < value.length) {
    const ch = value[i] as string;
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\n") {
      i++;
      continue;
    }
    if (ch === '"') {
      let text = "";
      i++;
      while (i < value.length && value[i] !== '"') {
        if (value[i] === "\\" && i + 1 < value.length) i++;
        text += value[i];
        i++;
      }
      i++;
      toks.push({ kind: "quoted", text });
      continue;
    }
    if (ch === "(") {
      let depth = 1;
      let text = "";
      i++;
      while (i < value.length && depth > 0) {
        const c = value[i] as string;
        if (c === "\\" && i + 1 < value.length) {
          text += value[i + 1];
          i += 2;
          continue;
        }
        if (c === "(") depth++;
        if (c === ")") depth--;
        if (depth > 0) text += c;
        i++;
      }
      toks.push({ kind: "comment", text });
      continue;
    }
    if ("<>@,;:".includes(ch)) {
      toks.push({ kind: "special", text: ch });
      i++;
      continue;
    }
    if (ch === "[") {
      const close = value.indexOf("]", i);
      const stop = close < 0 ? value.length : close + 1;
      toks.push({ kind: "word", text: value.slice(i, stop) });
      i = stop;
      continue;
    }
    let j = i;
    while (j < value.length && !' \t\r\n"(<>@,;:'.includes(value[j] as string)) j++;
    toks.push({ kind: "word", text: value.slice(i, j) });
    i = j;
  }
  return toks;
}

/**
 * RFC 5322 address-list → ENVELOPE addresses, forgiving as mail readers are: phrases, quoted
 * names, angle addresses with routes, groups, comments as a fallback name.
 */
export function parseAddressList(value: string | null): EnvelopeAddress[] | null {
  if (value === null) return null;
  const toks = tokenizeAddresses(value);
  const out: EnvelopeAddress[] = [];
  let i = 0;
  let inGroup = false;
  while (i < toks.length) {
    // Collect one mailbox / group start up to "," ";" or ":".
    const phrase: string[] = [];
    const comments: string[] = [];
    let angle: string | null = null;
    let plain = "";
    while (i < toks.length) {
      const t = toks[i] as Tok;
      if (t.kind === "special" && (t.text === "," || t.text === ";")) break;
      if (t.kind === "special" && t.text === ":" && !inGroup && angle === null) {
        // Group: "name: a, b;"
        out.push({ name: null, adl: null, mailbox: phrase.join(" "), host: null });
        inGroup = true;
        phrase.length = 0;
        plain = "";
        i++;
        continue;
      }
      if (t.kind === "special" && t.text === "<") {
        let j = i + 1;
        let addr = "";
        while (j < toks.length && !((toks[j] as Tok).kind === "special" && (toks[j] as Tok).text === ">")) {
          addr += (toks[j] as Tok).text;
          j++;
        }
        angle = addr;
        i = j + 1;
        continue;
      }
      if (t.kind === "comment") comments.push(t.text);
      else {
        phrase.push(t.text);
        plain += t.text;
      }
      i++;
    }
    const sep = toks[i];
    i++;
    let address: EnvelopeAddress | null = null;
    if (angle !== null) {
      address = splitAddr(angle, phrase.join(" ") || comments.join(" ") || null);
    } else if (plain) {
      address = splitAddr(plain, comments.join(" ") || null);
    }
    if (address) out.push(address);
    if (sep?.kind === "special" && sep.text === ";" && inGroup) {
      out.push({ name: null, adl: null, mailbox: null, host: null });
      inGroup = false;
    }
  }
  if (inGroup) out.push({ name: null, adl: null, mailbox: null, host: null });
  return out.length ? out : null;
}

function splitAddr(spec: string, name: string | null): EnvelopeAddress {
  let adl: string | null = null;
  let rest = spec;
  const colon = rest.indexOf(":");
  if (rest.startsWith("@") && colon > 0) {
    adl = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  const at = rest.lastIndexOf("@");
  if (at < 0) return { name, adl, mailbox: rest, host: "" };
  return { name, adl, mailbox: rest.slice(0, at), host: rest.slice(at + 1) };
}
