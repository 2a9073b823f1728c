/**
 * The document shown inside a mail's sandboxed iframe. The HTML was sanitized by the server;
 * this adds a second wall: a CSP that allows no script, no connection, no frame, and images
 * only from data:, our own attachment downloads (cid: parts) and, once the user chose
 * "show images", http(s).
 */
export function mailDocument(sanitizedHtml: string, opts: { origin: string; allowRemote: boolean }): string {
  const img = [
    "data:",
    "cid:",
    `${opts.origin}/api/attachments/`,
    ...(opts.allowRemote ? ["https:", "http:"] : []),
  ];
  const csp = [
    "default-src 'none'",
    `img-src ${img.join(" ")}`,
    "style-src 'unsafe-inline'",
    "font-src data:",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="referrer" content="no-referrer"><style>${FRAME_CSS}</style></head><body>${sanitizedHtml}</body></html>`;
}

const FRAME_CSS =
  "html,body{margin:0;padding:0;background:#fff;color:#222}" +
  "body{font:14px/1.6 system-ui,-apple-system,'Hiragino Sans','Noto Sans JP','Yu Gothic UI',sans-serif;padding:4px 2px;overflow-wrap:anywhere}" +
  "img{max-width:100%;height:auto}table{max-width:100%}pre{white-space:pre-wrap}blockquote{margin:0 0 0 .5em;padding-left:.75em;border-left:3px solid #ccd}";
