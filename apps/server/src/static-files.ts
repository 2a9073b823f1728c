import fs from "node:fs";
import type http from "node:http";
import path from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json",
};

/**
 * The built SPA (apps/web/dist): files as they are, hashed /assets/ cached for a year, and
 * index.html for any other path a browser navigates to (client-side routes). Requests that do
 * not accept HTML (fetch, curl) get a 404 for unknown paths instead of the app page.
 */
export function serveSpa(
  distDir: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pathname: string,
) {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  const file = path.resolve(distDir, `.${path.posix.normalize(decoded)}`);
  if (file.startsWith(distDir + path.sep) && isFile(file)) {
    const immutable = decoded.startsWith("/assets/");
    send(req, res, file, immutable ? "public, max-age=31536000, immutable" : "no-cache");
    return true;
  }
  const wantsHtml = (req.headers.accept ?? "").includes("text/html");
  if (wantsHtml && !path.extname(decoded)) {
    send(req, res, path.join(distDir, "index.html"), "no-cache");
    return true;
  }
  return false;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function send(req: http.IncomingMessage, res: http.ServerResponse, file: string, cache: string): void {
  const type = TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
  res.writeHead(200, {
    "Content-Type": type,
    "Cache-Control": cache,
    "Content-Length": fs.statSync(file).size,
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  fs.createReadStream(file).pipe(res);
}
