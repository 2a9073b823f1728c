import { spawnSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The SPA as `npm start` serves it: built once if apps/web/dist is missing or stale. */
export function ensureWebBuilt(): void {
  const r = spawnSync(process.execPath, [path.join(root, "apps/web/scripts/ensure-built.mjs")], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`building apps/web failed:\n${r.stdout}\n${r.stderr}`);
}

export { startTestServer, type TestServer } from "../../apps/server/test/test-server";

/** A loopback "remote image host": counts every request so a test can prove none arrived. */
export async function startImageHost(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const gif = Buffer.from("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7", "base64");
  const srv = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    res.writeHead(200, { "Content-Type": "image/gif", "Content-Length": gif.length }).end(gif);
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  };
}
