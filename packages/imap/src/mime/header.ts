/** One header field as stored: its name, the unfolded value, and the exact bytes (folding and CRLF kept). */
export interface HeaderField {
  name: string;
  lower: string;
  /** Unfolded value, leading whitespace trimmed; a latin1 string so raw 8-bit bytes survive. */
  value: string;
  start: number;
  end: number;
}

/** Where the header block of an entity ends and its body starts. */
export function findHeaderEnd(
  buf: Buffer,
  start: number,
  end: number,
): { headerEnd: number; bodyStart: number } {
  if (start >= end) return { headerEnd: start, bodyStart: start };
  // An entity that begins with an empty line has an empty header.
  if (buf[start] === 0x0a) return { headerEnd: start, bodyStart: start + 1 };
  if (buf[start] === 0x0d && buf[start + 1] === 0x0a) return { headerEnd: start, bodyStart: start + 2 };
  let pos = start;
  while (pos < end) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0 || nl >= end) return { headerEnd: end, bodyStart: end };
    const next = nl + 1;
    if (buf[next] === 0x0a) return { headerEnd: next, bodyStart: next + 1 };
    if (buf[next] === 0x0d && buf[next + 1] === 0x0a) return { headerEnd: next, bodyStart: next + 2 };
    pos = next;
  }
  return { headerEnd: end, bodyStart: end };
}

/** Splits a header block [start, end) into fields; continuation lines fold into the previous field. */
export function parseHeaderFields(buf: Buffer, start: number, end: number): HeaderField[] {
  const fields: HeaderField[] = [];
  let pos = start;
  while (pos < end) {
    let nl = buf.indexOf(0x0a, pos);
    if (nl < 0 || nl >= end) nl = end - 1;
    const lineEnd = nl + 1;
    const first = buf[pos];
    if ((first === 0x20 || first === 0x09) && fields.length) {
      const last = fields[fields.length - 1] as HeaderField;
      last.end = lineEnd;
    } else {
      fields.push({ name: "", lower: "", value: "", start: pos, end: lineEnd });
    }
    pos = lineEnd;
  }
  for (const f of fields) {
    const raw = buf.subarray(f.start, f.end).toString("latin1");
    const colon = raw.indexOf(":");
    if (colon <= 0) {
      f.name = "";
      f.lower = "";
      f.value = raw.trim();
      continue;
    }
    f.name = raw.slice(0, colon).trim();
    f.lower = f.name.toLowerCase();
    f.value = raw
      .slice(colon + 1)
      .replace(/\r?\n(?=[ \t])/g, "")
      .replace(/\r?\n$/, "")
      .trim();
  }
  return fields.filter((f) => f.lower || f.value);
}

export function headerValue(fields: HeaderField[], lower: string): string | null {
  for (const f of fields) if (f.lower === lower) return f.value;
  return null;
}

export interface ParamValue {
  value: string;
  params: [string, string][];
}

/** `type/subtype; a=b; c="d e"` → value and parameters (names lower-cased, RFC 2231 names kept as written). */
export function parseParams(text: string): ParamValue {
  const parts = splitSemicolons(stripComments(text));
  const value = (parts.shift() ?? "").trim();
  const params: [string, string][] = [];
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim();
    if (v.startsWith('"'))
      v = v.slice(1, v.endsWith('"') && v.length > 1 ? -1 : undefined).replace(/\\(.)/g, "$1");
    if (name) params.push([name, v]);
  }
  return { value, params };
}

function splitSemicolons(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      cur += ch;
      if (ch === "\\" && i + 1 < text.length) cur += text[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    if (ch === ";") {
      out.push(cur);
      cur = "";
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

/** Removes (comments) outside quoted strings. */
export function stripComments(text: string): string {
  if (!text.includes("(")) return text;
  let out = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      out += ch;
      if (ch === "\\" && i + 1 < text.length) out += text[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (depth > 0) {
      if (ch === "\\") i++;
      else if (ch === "(") depth++;
      else if (ch === ")") depth--;
      continue;
    }
    if (ch === '"') quoted = true;
    if (ch === "(") {
      depth = 1;
      continue;
    }
    out += ch;
  }
  return out;
}
