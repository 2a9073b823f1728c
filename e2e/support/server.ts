import http from "node:http";
import type { AddressInfo } from "node:net";

export { startTestServer, type TestServer } from "../../apps/server/test/test-server";
export { ensureWebBuilt } from "./web-build";

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
