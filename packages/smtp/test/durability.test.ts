import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, mail, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { storedIn } from "./support/store";

const here = path.dirname(fileURLToPath(import.meta.url));
/** Kill the server after this many 250s (or when the time bound runs out). */
const KILL_AFTER = 40;
const SENDERS = 4;
const MAX_MESSAGES = 2000;
const TIME_BOUND_MS = 60_000;

function startChild(env: TestEnv): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "durability-child.ts")], {
      cwd: path.resolve(here, "../../.."),
      env: {
        ...process.env,
        DURABILITY_DIR: env.dir,
        DURABILITY_DB_URL: env.url ?? "",
        DURABILITY_PGLITE_DIR: env.pgliteDir ?? "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`child did not start: ${stderr}`)), 30_000);
    child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout?.on("data", (c: Buffer) => {
      const port = /READY (\d+)/.exec(c.toString())?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ child, port: Number(port) });
      }
    });
    child.on("exit", () => reject(new Error(`child exited early: ${stderr}`)));
  });
}

describe.each(drivers)("kill -9 of the SMTP server on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  beforeAll(async () => {
    env = await createTestEnv(driver, { pgliteDir: true });
    team = await createTeam(env.ctx);
    await env.closeDb();
  });
  afterAll(() => env?.close());

  it("keeps every message that got a 250 before the kill", async () => {
    const { child, port } = await startChild(env);
    const exited = new Promise((resolve) => child.on("exit", resolve));
    const acked: string[] = [];
    let next = 0;
    let killed = false;
    const deadline = Date.now() + TIME_BOUND_MS;
    const sender = async () => {
      const transport = nodemailer.createTransport({ host: "127.0.0.1", port, ignoreTLS: true });
      while (!killed && next < MAX_MESSAGES && Date.now() < deadline) {
        const n = next++;
        const id = `durable-${n}@customer.example`;
        const body = `耐久試験 ${n}\r\n${"本文".repeat((n % 5) * 400)}`;
        try {
          const info = await transport.sendMail({
            envelope: { from: "taro@customer.example", to: ["info@example.co.jp"] },
            raw: mail({ messageId: id, subject: `試験 ${n}`, body }),
          });
          if (info.response.startsWith("250 ")) acked.push(id);
        } catch {
          // The connection died with the server: this one was never acknowledged.
        }
        if (acked.length >= KILL_AFTER && !killed) {
          killed = true;
          child.kill("SIGKILL");
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    if (!killed) child.kill("SIGKILL");
    await exited;
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER);
    await env.reopenDb();
    const stored = new Set((await storedIn(env.ctx, team.info.id)).map((m) => m.messageIdHeader));
    const lost = acked.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
  });
});
