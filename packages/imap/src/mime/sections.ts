import { ParseError } from "../protocol/tokens";
import type { HeaderField } from "./header";
import { parseHeaderFields } from "./header";
import type { MimeNode } from "./structure";

/** A parsed BODY[...] section. */
export interface Section {
  path: number[];
  text: "" | "HEADER" | "HEADER.FIELDS" | "HEADER.FIELDS.NOT" | "TEXT" | "MIME";
  fields: string[];
}

/** How the FETCH response names it again: `BODY[1.2.HEADER.FIELDS (FROM)]`. */
export function sectionLabel(s: Section): string {
  const parts: string[] = [];
  if (s.path.length) parts.push(s.path.join("."));
  if (s.text) parts.push(s.text);
  let label = parts.join(".");
  if (s.text === "HEADER.FIELDS" || s.text === "HEADER.FIELDS.NOT") label += ` (${s.fields.join(" ")})`;
  return label;
}

export function parseSection(spec: string): Section {
  const m =
    /^((?:\d+\.)*\d+)?(?:\.?(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME))?(?:\s+\((.*)\))?$/i.exec(
      spec.trim(),
    );
  if (!m) throw new ParseError(`Invalid section: ${spec.slice(0, 60)}`);
  const path = m[1] ? m[1].split(".").map(Number) : [];
  if (path.some((n) => n < 1)) throw new ParseError("Section part numbers start at 1");
  const text = (m[2]?.toUpperCase() ?? "") as Section["text"];
  if (m[1] && m[2] && !spec.slice(m[1].length).startsWith("."))
    throw new ParseError(`Invalid section: ${spec}`);
  if (text === "MIME" && !path.length) throw new ParseError("MIME needs a part number");
  const wantsFields = text === "HEADER.FIELDS" || text === "HEADER.FIELDS.NOT";
  if (wantsFields !== (m[3] !== undefined)) throw new ParseError("HEADER.FIELDS needs a list of field names");
  const fields = wantsFields ? (m[3] as string).trim().split(/\s+/).filter(Boolean) : [];
  if (wantsFields && !fields.length) throw new ParseError("HEADER.FIELDS needs at least one field name");
  for (const f of fields) {
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(f.replace(/^"|"$/g, "")))
      throw new ParseError(`Invalid header field name: ${f}`);
  }
  return { path, text, fields: fields.map((f) => f.replace(/^"|"$/g, "").toUpperCase()) };
}

/** What a section resolves to: a byte range of the blob, or bytes built from the header. */
export type SectionData = { range: [number, number] } | { build: (blob: Buffer) => Buffer } | { empty: true };

/** Resolves a section against the MIME tree (RFC 3501 §6.4.5 numbering). */
export function resolveSection(root: MimeNode, section: Section): SectionData {
  let cur: MimeNode = root;
  for (const n of section.path) {
    const entity = cur !== root && cur.message ? cur.message : cur;
    if (entity.type === "multipart") {
      const child = entity.children[n - 1];
      if (!child) return { empty: true };
      cur = child;
    } else if (n === 1) {
      cur = entity;
    } else {
      return { empty: true };
    }
  }
  const message = section.path.length === 0 ? root : cur.message;
  switch (section.text) {
    case "":
      return section.path.length ? { range: [cur.bodyStart, cur.end] } : { range: [root.start, root.end] };
    case "MIME":
      return { range: [cur.start, cur.bodyStart] };
    case "TEXT":
      return message ? { range: [message.bodyStart, message.end] } : { empty: true };
    case "HEADER":
      return message ? { range: [message.start, message.bodyStart] } : { empty: true };
    default: {
      if (!message) return { empty: true };
      const wanted = new Set(section.fields.map((f) => f.toLowerCase()));
      const not = section.text === "HEADER.FIELDS.NOT";
      const m = message;
      return {
        build: (blob: Buffer) => {
          const fields: HeaderField[] = parseHeaderFields(blob, m.start, m.headerEnd);
          const picked = fields.filter((f) => wanted.has(f.lower) !== not);
          const crlf = Buffer.from("\r\n");
          return Buffer.concat([...picked.map((f) => blob.subarray(f.start, f.end)), crlf]);
        },
      };
    }
  }
}
