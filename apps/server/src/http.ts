import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { serveSpa } from "./static-files";

export interface HttpOptions {
  bind: string;
  port: number;
  /** The page served at / (the web app's placeholder until apps/web is built). */
  indexHtmlPath: string;
  /** Backs /healthz: false answers 503 so a load balancer stops sending traffic. */
  isHealthy(): Promise<boolean>;
  /** The built SPA (apps/web/dist); served, with index.html for client routes, when it exists. */
  webDistDir?: string;
  /** Mounts the web API (tRPC, attachments, socket.io) on the server before it listens. */
  mount?: (server: http.Server) => Promise<MountedHandler>;
}

/** Something that answers some paths of the HTTP server (the web API). */
export interface MountedHandler {
  /** true when it took the request. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  close(): Promise<void>;
}

export interface RunningHttp {
  /** The bound port (the real one when 0 was asked for). */
  port: number;
  close(): Promise<void>;
}

/** A port that cannot be bound: an operator's problem, reported without a stack trace. */
export class ListenError extends Error {
  override name = "ListenError";
}

/** Requests still running this long after shutdown began are cut off. */
const SHUTDOWN_GRACE_MS = 3000;

export async function startHttpServer(options: HttpOptions): Promise<RunningHttp> {
  // Read once: a missing page is a broken install and should stop the start, not 500 later.
  const indexHtml = fs.readFileSync(options.indexHtmlPath);
  const distDir =
    options.webDistDir && fs.existsSync(path.join(options.webDistDir, "index.html"))
      ? path.resolve(options.webDistDir)
      : undefined;
  let api: MountedHandler | undefined;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    res.setHeader("X-Content-Type-Options", "nosniff");
    if (api?.handle(req, res)) return;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res
        .writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" })
        .end("Method not allowed\n");
      return;
    }
    if (url.pathname === "/healthz") {
      options.isHealthy().then(
        (ok) =>
          sendJson(res, ok ? 200 : 503, ok ? { ok: true } : { ok: false, error: "database unavailable" }),
        () => sendJson(res, 503, { ok: false, error: "database unavailable" }),
      );
      return;
    }
    if (distDir && serveSpa(distDir, req, res, url.pathname)) return;
    if (url.pathname === "/" || url.pathname === "/index.html") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache" });
      res.end(req.method === "HEAD" ? undefined : indexHtml);
      return;
    }
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found\n");
  });
  api = await options.mount?.(server);
  await listen(server, options).catch(async (err: unknown) => {
    await api?.close();
    throw err;
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      await api?.close();
      await new Promise<void>((resolve) => {
        const cutOff = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        server.close(() => {
          clearTimeout(cutOff);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
  res.end(JSON.stringify(body));
}

function listen(server: http.Server, options: HttpOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "EADDRINUSE"
          ? new ListenError(
              `HTTP: ${options.bind}:${options.port} is already in use; set HTTP_PORT to another port`,
            )
          : err.code === "EACCES"
            ? new ListenError(`HTTP: not allowed to listen on port ${options.port}; set HTTP_PORT above 1023`)
            : err,
      );
    });
    server.listen(options.port, options.bind, () => resolve());
  });
}
