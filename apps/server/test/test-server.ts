import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pgliteTemplateFile } from "@madoguchi/db/template";
import { TEST_ARGON2 } from "../../../packages/core/test/harness";
import { loadConfig } from "../src/env";
import { type RunningServer, startServer } from "../src/server";

export interface TestServer {
  server: RunningServer;
  baseUrl: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * The real server in this process: embedded PGlite in a temp dir, every listener on 127.0.0.1,
 * port 0; `env` adds or overrides settings (a loopback DNS server, a public address).
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "madoguchi-e2e-"));
  const ports = ["HTTP", "SMTP", "SUBMISSION", "SUBMISSIONS", "IMAP", "IMAPS", "POP3", "POP3S"];
  const server = await startServer(
    loadConfig({
      MADOGUCHI_DATA_DIR: dir,
      MADOGUCHI_HOSTNAME: "mail.example.co.jp",
      MADOGUCHI_BIND: "127.0.0.1",
      // Never the machine's resolver: outbound MX lookups go to an unreachable loopback port.
      MADOGUCHI_DNS_SERVERS: "127.0.0.1:9",
      MADOGUCHI_PGLITE_TEMPLATE: await pgliteTemplateFile(),
      MADOGUCHI_ARGON2: TEST_ARGON2,
      ...Object.fromEntries(ports.map((p) => [`${p}_PORT`, "0"])),
      ...env,
    }),
  );
  return {
    server,
    dir,
    baseUrl: `http://127.0.0.1:${server.http.port}`,
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
