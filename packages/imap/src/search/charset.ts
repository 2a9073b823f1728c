import Encoding from "encoding-japanese";
import iconv from "iconv-lite";
import type { SearchString } from "./criteria";

/** Charsets named in the BADCHARSET answer (others iconv-lite knows are accepted too). */
export const SEARCH_CHARSETS = ["UTF-8", "US-ASCII", "ISO-2022-JP"];

export class BadCharsetError extends Error {}

/** A search string in its CHARSET → Unicode. ISO-2022-JP is what older Japanese clients send. */
export function decodeSearchString(s: SearchString, charset: string | null): string {
  if (!charset || charset === "UTF-8" || charset === "US-ASCII") return s.value;
  if (charset === "ISO-2022-JP") {
    return Encoding.convert(Array.from(s.bytes), { to: "UNICODE", from: "JIS", type: "string" });
  }
  if (iconv.encodingExists(charset)) return iconv.decode(s.bytes, charset);
  throw new BadCharsetError(charset);
}

export function isKnownCharset(charset: string | null): boolean {
  return !charset || SEARCH_CHARSETS.includes(charset) || iconv.encodingExists(charset);
}
