/**
 * Modified UTF-7 (RFC 3501 §5.1.3) for mailbox names: "&" is "&-", and any run of non-ASCII
 * is UTF-16BE in base64 with "," for "/", between "&" and "-". `受信箱` ⇄ `&U9dP4dux-`.
 */
export function encodeMutf7(name: string): string {
  let out = "";
  let run = "";
  const flush = () => {
    if (!run) return;
    const buf = Buffer.alloc(run.length * 2);
    for (let i = 0; i < run.length; i++) buf.writeUInt16BE(run.charCodeAt(i), i * 2);
    out += `&${buf.toString("base64").replace(/=+$/, "").replace(/\//g, ",")}-`;
    run = "";
  };
  for (const ch of name) {
    const code = ch.codePointAt(0) as number;
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += ch === "&" ? "&-" : ch;
    } else {
      run += ch;
    }
  }
  flush();
  return out;
}

/** Decodes; undefined when the name is not valid modified UTF-7. */
export function decodeMutf7(name: string): string | undefined {
  let out = "";
  for (let i = 0; i < name.length; i++) {
    const ch = name[i] as string;
    const code = ch.charCodeAt(0);
    if (code > 0x7e) {
      // Raw UTF-8 from a client that ignores the rule: accept it as is.
      out += ch;
      continue;
    }
    if (ch !== "&") {
      out += ch;
      continue;
    }
    const end = name.indexOf("-", i + 1);
    if (end < 0) return undefined;
    const b64 = name.slice(i + 1, end);
    i = end;
    if (!b64) {
      out += "&";
      continue;
    }
    if (!/^[A-Za-z0-9+,]+$/.test(b64)) return undefined;
    const bytes = Buffer.from(b64.replace(/,/g, "/"), "base64");
    if (bytes.length % 2) return undefined;
    for (let j = 0; j < bytes.length; j += 2) out += String.fromCharCode(bytes.readUInt16BE(j));
  }
  return out;
}
