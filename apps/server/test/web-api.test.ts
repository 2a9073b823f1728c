import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningHttp, startHttpServer } from "../src/http";
import type { RunningServer } from "../src/server";
import { startTestServer, type TestServer } from "./test-server";

describe("HTTP server with the built SPA", () => {
  let dir: string;
  let http: RunningHttp;
  let base: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "madoguchi-web-"));
    const dist = path.join(dir, "dist");
    fs.mkdirSync(path.join(dist, "assets"), { recursive: true });
    fs.writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>窓口 SPA</title>");
    fs.writeFileSync(path.join(dist, "assets", "app-1a2b.js"), "console.log(1)");
    fs.writeFileSync(path.join(dir, "placeholder.html"), "placeholder");
    http = await startHttpServer({
      bind: "127.0.0.1",
      port: 0,
      indexHtmlPath: path.join(dir, "placeholder.html"),
      webDistDir: dist,
      isHealthy: async () => true,
      mount: async () => ({
        handle(req, res) {
          if (!req.url?.startsWith("/api/")) return false;
          res.writeHead(200, { "Content-Type": "application/json" }).end('{"api":true}');
          return true;
        },
        close: async () => {},
      }),
    });
    base = `http://127.0.0.1:${http.port}`;
  });
  afterAll(async () => {
    await http?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("serves files, index.html for client routes, the mounted API, and 404 otherwise", async () => {
    const page = await fetch(`${base}/`, { headers: { accept: "text/html" } });
    expect(await page.text()).toContain("窓口 SPA");
    const asset = await fetch(`${base}/assets/app-1a2b.js`);
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(asset.headers.get("cache-control")).toContain("immutable");
    const route = await fetch(`${base}/inbox/3/conversation/9`, { headers: { accept: "text/html,*/*" } });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain("窓口 SPA");
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/assets/missing.js`, { headers: { accept: "text/html" } })).status).toBe(404);
    expect((await fetch(`${base}/../../etc/passwd`, { headers: { accept: "text/html" } })).status).not.toBe(
      500,
    );
    const api = await fetch(`${base}/api/trpc/x`, { method: "POST" });
    expect(await api.json()).toEqual({ api: true });
  });
});

describe("madoguchi server: web API mounted (in process, embedded database)", () => {
  let running: TestServer;
  let server: RunningServer;

  beforeAll(async () => {
    running = await startTestServer();
    server = running.server;
  }, 120_000);
  afterAll(async () => {
    await running?.stop();
  });

  it("answers tRPC at /api/trpc and socket.io at /socket.io", async () => {
    const base = `http://127.0.0.1:${server.http.port}`;
    const me = await fetch(`${base}/api/trpc/auth.me`);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ result: { data: null } });
    const login = await fetch(`${base}/api/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "a@example.co.jp", password: "x" }),
    });
    expect(login.status).toBe(403);
    const polling = await fetch(`${base}/socket.io/?EIO=4&transport=polling`);
    expect(polling.status).toBe(200);
    expect(await polling.text()).toMatch(/^0\{"sid"/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
