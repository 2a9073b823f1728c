import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { loadOrCreateTls } from "../src/index";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "madoguchi-tls-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("TLS material", () => {
  it("creates a self-signed certificate once, reuses it, and serves a TLS handshake with it", async () => {
    const first = await loadOrCreateTls({ dir, hostname: "mail.example.co.jp" });
    const again = await loadOrCreateTls({ dir, hostname: "mail.example.co.jp" });
    expect(first.selfSigned).toBe(true);
    expect(again.fingerprint256).toBe(first.fingerprint256);
    expect(fs.statSync(path.join(dir, "self-signed.key")).mode & 0o777).toBe(0o600);

    const server = tls.createServer({ key: first.key, cert: first.cert }, (socket) =>
      socket.end("hello\r\n"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const greeting = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect(
        { host: "127.0.0.1", port, ca: first.cert, servername: "mail.example.co.jp" },
        () => {
          socket.once("data", (d) => resolve(d.toString()));
        },
      );
      socket.on("error", reject);
    });
    server.close();
    expect(greeting).toBe("hello\r\n");
  });

  it("refuses half a configuration", async () => {
    await expect(loadOrCreateTls({ dir, hostname: "x", keyFile: "/nonexistent" })).rejects.toThrow(/both/);
  });
});
