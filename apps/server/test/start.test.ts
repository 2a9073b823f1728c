import fs from "node:fs";
import path from "node:path";
import { sha256Hex } from "@madoguchi/mail/blob-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DataDir, freshDataDir, runCli, ServerProcess } from "./processes";

// Port 0 everywhere: the OS picks free ports, so parallel runs and other servers never collide.
const FREE_PORTS = {
  HTTP_PORT: "0",
  SMTP_PORT: "0",
  SUBMISSION_PORT: "0",
  SUBMISSIONS_PORT: "0",
  IMAP_PORT: "0",
  IMAPS_PORT: "0",
  POP3_PORT: "0",
  POP3S_PORT: "0",
};

describe("madoguchi start (embedded database)", () => {
  let data: DataDir;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    data = await freshDataDir("pglite");
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) await server.stop("SIGKILL");
    await data?.remove();
  });

  it("serves HTTP, explains the first steps, holds the database, and stops cleanly", {
    timeout: 180_000,
  }, async () => {
    // A blob store written by an older version (<ab>/<cd>/<hash>) is moved over at start.
    const oldBlob = Buffer.from("Subject: kept by an older version\r\n\r\n");
    const hash = sha256Hex(oldBlob);
    const oldDir = path.join(data.dir, "blobs", hash.slice(0, 2), hash.slice(2, 4));
    fs.mkdirSync(oldDir, { recursive: true });
    fs.writeFileSync(path.join(oldDir, hash), oldBlob);

    server = ServerProcess.start({ ...data.settings, ...FREE_PORTS });
    const [, port] = await server.waitFor(/Log in\s+http:\/\/127\.0\.0\.1:(\d+)\//);
    await server.waitFor(/Stop with Ctrl\+C/);
    expect(server.output).toMatch(/^Madoguchi \S+ started in [\d.]+ s; database: PGlite in /);
    // Each protocol is listed: "not built yet" until its package exists, then its addresses.
    for (const protocol of ["SMTP", "IMAP", "POP3"])
      expect(server.output).toMatch(new RegExp(`^ {2}${protocol} +\\S`, "m"));
    // As the README shows them: each port with how TLS starts on it.
    expect(server.output).toMatch(/^ {2}IMAP +127\.0\.0\.1:\d+ \(STARTTLS\), 127\.0\.0\.1:\d+ \(TLS\)$/m);
    expect(server.output).toMatch(/^ {2}POP3 +127\.0\.0\.1:\d+ \(STLS\), 127\.0\.0\.1:\d+ \(TLS\)$/m);
    expect(server.output).toMatch(/^ {2}Blobs +1 moved to the store's one-level layout/m);
    expect(fs.readFileSync(path.join(data.dir, "blobs", hash.slice(0, 2), hash))).toEqual(oldBlob);
    expect(fs.existsSync(oldDir)).toBe(false);
    expect(server.output).toContain("First start: there are no users yet");
    expect(server.output).toContain("npx madoguchi domain add example.co.jp");
    expect(server.output).toContain("--name 管理者 --password");

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await page.text()).toContain("窓口");
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);

    // One process at a time on the embedded database: the CLI says so instead of corrupting it.
    const locked = await runCli(["user", "list"], data.settings);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/^madoguchi: The embedded database in .* is in use by process \d+\./);

    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.output).toContain("Stopped.");

    // The lock went with the server.
    const after = await runCli(["domain", "add", "example.co.jp"], data.settings);
    expect(after).toMatchObject({ code: 0, stderr: "" });

    // Second start with MADOGUCHI_ADMIN_EMAIL: the database still has no users, so the server
    // creates the administrator and shows the one-time password once.
    server = ServerProcess.start({
      ...data.settings,
      ...FREE_PORTS,
      MADOGUCHI_ADMIN_EMAIL: "Admin@Example.co.jp",
    });
    const [, password] = await server.waitFor(/One-time password: (\S+)/);
    expect(password?.length).toBeGreaterThanOrEqual(12);
    expect(server.output).toContain("created the administrator admin@example.co.jp");
    expect(await server.stop("SIGINT")).toBe(0);

    const users = await runCli(["user", "list"], data.settings);
    expect(users.code).toBe(0);
    expect(users.stdout).toMatch(/^admin@example\.co\.jp\s+管理者\s+admin\s+must change password\s/m);
  });
});
