/** RFC 5987 ext-value: UTF-8, percent-encoded beyond attr-char. */
function encodeExtValue(s: string): string {
  return encodeURIComponent(s).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An ASCII stand-in for old clients: non-ASCII and quoting characters become "_", the extension stays. */
function asciiFallback(name: string): string {
  const cleaned = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_").trim();
  return cleaned.replace(/^_+(?=\.)/, "file") || "attachment";
}

/**
 * Content-Disposition per RFC 6266 with both filename (ASCII) and filename* (UTF-8, RFC 5987),
 * so 請求書.pdf arrives as 請求書.pdf in every current browser.
 */
export function contentDisposition(filename: string, type: "attachment" | "inline" = "attachment"): string {
  const name = filename.replace(/[\r\n\p{Cc}]/gu, "").replace(/[\\/]/g, "_") || "attachment";
  return `${type}; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtValue(name)}`;
}
