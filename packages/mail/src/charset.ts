import Encoding from "encoding-japanese";
import iconv from "iconv-lite";

/**
 * Decoding of text whose charset label may be missing or wrong, as it often is in mail from
 * older Japanese mailers: Shift_JIS labelled us-ascii, ISO-2022-JP without any label, UTF-8
 * labelled iso-8859-1.
 *
 * Strategy: a label naming a specific multibyte charset is trusted when the bytes are valid in
 * it; a missing, ASCII or Latin-1 label ("weak") is only a fallback. ISO-2022-JP is recognised
 * by its escape sequences whatever the label says, valid UTF-8 is taken as UTF-8, and a
 * Shift_JIS / EUC-JP reading is accepted only when the result looks like Japanese text, so a
 * real Latin-1 letter ("Grüße") is not turned into half-width katakana.
 */
export interface DecodedText {
  text: string;
  /** The charset the bytes were decoded from (canonical name). */
  charset: string;
  /** True when that charset is not the one the label named. */
  repaired: boolean;
}

const WEAK_LABELS = new Set([
  "",
  "ascii",
  "usascii",
  "iso88591",
  "latin1",
  "windows1252",
  "cp1252",
  "unknown",
]);
const SJIS_LABELS = new Set([
  "shiftjis",
  "sjis",
  "xsjis",
  "mskanji",
  "csshiftjis",
  "windows31j",
  "cp932",
  "ms932",
]);
const EUC_LABELS = new Set(["eucjp", "xeucjp", "cseucpkdfmtjapanese"]);
const JIS_LABELS = new Set(["iso2022jp", "csiso2022jp", "iso2022jp1", "iso2022jp2", "iso2022jp3"]);
const UTF8_LABELS = new Set(["utf8", "unicode11utf8"]);

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC opens every ISO-2022-JP shift sequence
const ESC_JIS = /\x1b(?:\$[@B]|\$\(D|\([BJI])/;
const HAS_8BIT = /[\x80-\xff]/;

/** Lowercase, without punctuation: "Shift-JIS", "shift_jis" and "SJIS" compare equal after this. */
export const labelKey = (label: string | null | undefined): string =>
  (label ?? "").toLowerCase().replace(/[^a-z0-9]/g, "");

/** Canonical name for a label, or the label itself when it is none of the Japanese ones. */
export function canonicalCharset(label: string | null | undefined): string {
  const key = labelKey(label);
  if (SJIS_LABELS.has(key)) return "CP932"; // superset of Shift_JIS: ①, ㈱, 髙 live only here
  if (EUC_LABELS.has(key)) return "EUC-JP";
  if (JIS_LABELS.has(key)) return "ISO-2022-JP";
  if (UTF8_LABELS.has(key)) return "UTF-8";
  if (WEAK_LABELS.has(key)) return key === "" ? "" : "ISO-8859-1";
  return label ?? "";
}

export function decodeAs(bytes: Uint8Array, charset: string): string {
  if (charset === "ISO-2022-JP") {
    // iconv-lite has no ISO-2022-JP; encoding-japanese also maps the NEC/IBM extensions
    return Encoding.codeToString(Encoding.convert(bytes, { to: "UNICODE", from: "JIS" }));
  }
  const name = charset === "" ? "utf-8" : charset;
  return iconv.decode(Buffer.from(bytes), iconv.encodingExists(name) ? name : "utf-8");
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Kana, kanji and full-width forms; half-width katakana is left out on purpose (Latin-1 bytes read as SJIS land there). */
const JAPANESE_CHAR = /[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff5e\u2460-\u24ff\u3200-\u33ff]/gu;

/**
 * Most non-ASCII characters are Japanese, at least two of them, and nothing failed to decode.
 * The minimum of two keeps a short Latin-1 word from passing: "Grüße" has the bytes FC DF,
 * which EUC-JP reads as one kanji. The price: a one-kanji text with a weak label stays Latin-1.
 */
export function looksJapanese(text: string): boolean {
  if (text.includes("\ufffd")) return false;
  const nonAscii = text.replace(/\p{ASCII}/gu, "").length;
  const japanese = text.match(JAPANESE_CHAR)?.length ?? 0;
  return japanese >= 2 && japanese / nonAscii >= 0.6;
}

function validIn(bytes: Uint8Array, charset: string): boolean {
  if (charset === "UTF-8") return isValidUtf8(bytes);
  if (charset === "CP932" || charset === "EUC-JP") return !decodeAs(bytes, charset).includes("\ufffd");
  return true;
}

/** The Japanese multibyte charset these 8-bit bytes are written in, if any reading looks right. */
function detectMultibyte(bytes: Uint8Array): string | null {
  if (isValidUtf8(bytes)) return "UTF-8";
  const guess = Encoding.detect(bytes, ["SJIS", "EUCJP"]);
  const order = guess === "EUCJP" ? ["EUC-JP", "CP932"] : ["CP932", "EUC-JP"];
  return order.find((cs) => looksJapanese(decodeAs(bytes, cs))) ?? null;
}

/** Decodes text bytes, repairing a missing or wrong charset label (see the file comment). */
export function decodeText(bytes: Uint8Array, label: string | null | undefined): DecodedText {
  const labelled = canonicalCharset(label);
  const result = (charset: string): DecodedText => ({
    text: decodeAs(bytes, charset),
    charset: charset || "US-ASCII",
    repaired: charset !== labelled,
  });
  const buf = Buffer.from(bytes);
  if (!HAS_8BIT.test(buf.toString("latin1"))) {
    if (ESC_JIS.test(buf.toString("latin1"))) return result("ISO-2022-JP");
    // pure ASCII reads the same in every label we expect; keep the label
    return { text: buf.toString("latin1"), charset: labelled || "US-ASCII", repaired: false };
  }
  const known = labelled === "ISO-2022-JP" || (labelled !== "" && iconv.encodingExists(labelled));
  const weak = !known || labelled === "ISO-8859-1";
  if (!weak && labelled !== "ISO-2022-JP" && validIn(bytes, labelled)) return result(labelled);
  const detected = detectMultibyte(bytes);
  if (detected) return result(detected);
  // nothing convincing: honour the label, or read as UTF-8 with replacement characters
  return result(labelled === "ISO-2022-JP" ? "UTF-8" : labelled);
}
