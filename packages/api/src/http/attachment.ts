import type { IncomingMessage, ServerResponse } from "node:http";
import { findSessionUser, isAppError, readAttachment } from "@madoguchi/core";
import type { ApiRuntime } from "../deps";
import { contentDisposition } from "./content-disposition";
import { sessionTokenOf } from "./cookies";

const PATH_RE = /^\/api\/attachments\/(\d{1,15})\/(\d{1,4})$/;
/** Types a browser may show inline (an <img> in a sanitized mail); everything else downloads. */
const INLINE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"]);
const TYPE_RE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

export const isAttachmentPath = (pathname: string) => PATH_RE.test(pathname);

/**
 * GET /api/attachments/:messageId/:index[?inline=1]: one attachment of a stored message, for
 * a logged-in member of its inbox (authorization in core). Sent with its type, an RFC 6266
 * Content-Disposition for Japanese names, nosniff and a sandbox CSP so an HTML or SVG
 * attachment cannot run as our origin.
 */
export async function serveAttachment(
  runtime: ApiRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const m = PATH_RE.exec(url.pathname);
  if (!m || (req.method !== "GET" && req.method !== "HEAD")) return plain(res, 405, "Method not allowed");
  const token = sessionTokenOf(req);
  const session = token ? await findSessionUser(runtime.deps.ctx, token) : null;
  if (!session) return plain(res, 401, "Not logged in");
  try {
    const a = await readAttachment(runtime.deps.ctx, session.user.id, Number(m[1]), Number(m[2]));
    const type = TYPE_RE.test(a.contentType) ? a.contentType.toLowerCase() : "application/octet-stream";
    const inline = url.searchParams.get("inline") === "1" && INLINE_TYPES.has(type);
    res.writeHead(200, {
      "Content-Type": type,
      "Content-Length": a.content.length,
      "Content-Disposition": contentDisposition(a.filename, inline ? "inline" : "attachment"),
      "Content-Security-Policy": "default-src 'none'; sandbox",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, max-age=3600",
    });
    res.end(req.method === "HEAD" ? undefined : a.content);
  } catch (err) {
    if (isAppError(err, "NOT_FOUND")) return plain(res, 404, "Not found");
    if (isAppError(err, "FORBIDDEN")) return plain(res, 403, "Forbidden");
    throw err;
  }
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
  res.end(`${text}\n`);
}
