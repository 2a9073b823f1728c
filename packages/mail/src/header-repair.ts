import { canonicalCharset, decodeText } from "./charset";

/**
 * Header lines that mailparser would decode wrongly, rewritten before it sees them:
 * - raw 8-bit text without encoded-words (Shift_JIS, EUC-JP or UTF-8 straight in Subject or
 *   From), and raw ISO-2022-JP escape sequences: libmime reads raw bytes as UTF-8, loses
 *   Shift_JIS entirely and even trims a UTF-8 character ending in 0xA0 (①);
 * - encoded-words labelled us-ascii / iso-8859-1 that actually carry Japanese bytes.
 * Both become UTF-8 encoded-words, which every later step decodes right.
 * Lines are the "binary" (one char per byte) strings mailsplit keeps.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC marks raw ISO-2022-JP, 0x80-0xFF raw 8-bit bytes
const NEEDS_REPAIR = /[\x1b\x80-\xff]|=\?(?:us-ascii|iso-8859-1|latin1|windows-1252|unknown)[?*]/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, the bytes that need decoding
const RAW_BYTES = /[\x1b\x80-\xff]/;
const NON_ASCII_RUN = /\P{ASCII}+(?:[ \t]+\P{ASCII}+)*/gu;
const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?\s]*)\?=/g;

export const encodedWord = (text: string): string => `=?UTF-8?B?${Buffer.from(text).toString("base64")}?=`;

function encodedWordBytes(encoding: string, payload: string): Buffer {
  if (encoding.toUpperCase() === "B") return Buffer.from(payload, "base64");
  const qp = payload
    .replace(/_/g, " ")
    .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  return Buffer.from(qp, "latin1");
}

/** Re-labels an encoded-word whose weak charset label hides Japanese bytes. */
function repairEncodedWord(word: string, charset: string, encoding: string, payload: string): string {
  if (canonicalCharset(charset) !== "ISO-8859-1") return word;
  const decoded = decodeText(encodedWordBytes(encoding, payload), charset);
  return decoded.repaired ? encodedWord(decoded.text) : word;
}

/** Returns the repaired line, or null when the line needs nothing. */
export function repairHeaderLine(line: string): string | null {
  if (!NEEDS_REPAIR.test(line)) return null;
  const colon = line.indexOf(":");
  if (colon < 0) return null;
  let value = line.slice(colon + 1);
  if (RAW_BYTES.test(value)) {
    value = decodeText(Buffer.from(value, "latin1"), null).text.replace(NON_ASCII_RUN, encodedWord);
  }
  value = value.replace(ENCODED_WORD, repairEncodedWord);
  const repaired = line.slice(0, colon + 1) + value;
  return repaired === line ? null : repaired;
}
