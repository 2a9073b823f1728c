import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestEnv, type TestEnv } from "../../core/test/harness";
import { startListeners } from "../src/index";
import { RawClient } from "./client";
import { drivers, testTls } from "./setup";

describe.each(drivers)("startListeners on %s", (driver) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv(driver);
  });
  afterAll(() => env.close());

  const config = (dataDir?: string) => ({
    bind: "127.0.0.1",
    hostname: "mail.example.co.jp",
    dataDir,
    ports: { pop3: 0, pop3s: 0 },
  });

  it("binds POP3 with STLS and POP3 over TLS, and closes both", async () => {
    const tls = await testTls();
    const listeners = await startListeners({ ctx: env.ctx, config: config(), tls });
    expect(listeners.map((l) => l.name)).toEqual(["STLS", "TLS"]);
    const [plainPort, tlsPort] = listeners.map((l) => Number(l.address.split(":")[1]));
    expect(listeners.every((l) => l.address.startsWith("127.0.0.1:"))).toBe(true);

    const plain = await RawClient.connect(plainPort ?? 0);
    expect(await plain.line()).toBe("+OK mail.example.co.jp Madoguchi POP3 server ready");
    expect(await plain.command("STLS")).toBe("+OK begin TLS negotiation");
    await plain.startTls(tls.cert);
    const secure = await RawClient.connect(tlsPort ?? 0, { tls: { ca: tls.cert } });
    expect(await secure.line()).toMatch(/^\+OK /);

    await Promise.all(listeners.map((l) => l.close()));
    await plain.waitClosed();
    await secure.waitClosed();
    await expect(RawClient.connect(plainPort ?? 0)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("without a certificate from the server, keeps a self-signed one in the data directory", async () => {
    const listeners = await startListeners({ ctx: env.ctx, config: config(env.dir) });
    expect(fs.existsSync(path.join(env.dir, "tls", "self-signed.crt"))).toBe(true);
    await Promise.all(listeners.map((l) => l.close()));
  });
});
