import net from "node:net";
import tls from "node:tls";
import { AuthThrottle, CHANGES_CHANNEL, ChangeFeed } from "@madoguchi/core";
import type { DriverName } from "@madoguchi/db/client";
import { createSelfSigned } from "@madoguchi/tls";
import { ImapFlow } from "imapflow";
import { createTeam, type Team } from "../../core/test/fixtures";
import { createTestEnv, type TestEnv } from "../../core/test/harness";
import { createImapServer, type ImapServer } from "../src/index";

export interface ImapTestEnv {
  env: TestEnv;
  team: Team;
  feed: ChangeFeed;
  /** STARTTLS port; LOGIN allowed in clear text here so transcripts stay readable. */
  port: number;
  /** Implicit TLS port, LOGIN only after TLS as in production. */
  tlsPort: number;
  cert: string;
  servers: ImapServer[];
  close(): Promise<void>;
}

let tlsMaterial: Promise<{ key: string; cert: string }> | null = null;

export async function startImap(
  driver: DriverName,
  opts: { strictPlain?: boolean } = {},
): Promise<ImapTestEnv> {
  tlsMaterial ??= createSelfSigned("localhost");
  const material = await tlsMaterial;
  const env = await createTestEnv(driver);
  const team = await createTeam(env.ctx);
  const feed = new ChangeFeed(env.listen);
  await feed.start(CHANGES_CHANNEL);
  const throttle = new AuthThrottle();
  const log = (message: string, err?: unknown) => {
    throw new Error(`${message}: ${err instanceof Error ? err.stack : String(err)}`);
  };
  const plain = createImapServer({
    ctx: env.ctx,
    tls: material,
    feed,
    throttle,
    allowInsecureAuth: !opts.strictPlain,
    log: (m, e) => queueMicrotask(() => log(m, e)),
  });
  const implicit = createImapServer({ ctx: env.ctx, tls: material, feed, throttle, implicitTls: true });
  const a = await plain.listen(0, "127.0.0.1");
  const b = await implicit.listen(0, "127.0.0.1");
  return {
    env,
    team,
    feed,
    port: a.port,
    tlsPort: b.port,
    cert: material.cert,
    servers: [plain, implicit],
    async close() {
      await Promise.all([plain.close(), implicit.close()]);
      await feed.close();
      await env.close();
    },
  };
}

/**
 * imapflow, a client nobody here wrote, for a loopback IMAP over implicit TLS (self-signed
 * certificate accepted); connect() is the caller's. Alice of the test team unless told.
 */
export function imapflowClient(
  port: number,
  user = "alice@example.co.jp",
  pass = "correct horse 1",
): ImapFlow {
  return new ImapFlow({
    host: "127.0.0.1",
    port,
    secure: true,
    tls: { rejectUnauthorized: false },
    auth: { user, pass },
    logger: false,
  });
}

/**
 * A raw IMAP client for transcript tests: writes bytes, reads until the tagged reply, and
 * returns everything the server sent for the command.
 */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(public socket: net.Socket | tls.TLSSocket) {
    this.attach(socket);
  }

  private attach(socket: net.Socket | tls.TLSSocket) {
    socket.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on("close", () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on("error", () => {});
  }

  static async connect(port: number, secure = false): Promise<RawClient> {
    const socket = secure
      ? tls.connect({ port, host: "127.0.0.1", rejectUnauthorized: false })
      : net.connect({ port, host: "127.0.0.1" });
    await new Promise<void>((resolve, reject) => {
      socket.once(secure ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    });
    const client = new RawClient(socket);
    await client.readUntil(/^\* OK .*\r\n/m);
    client.take();
    return client;
  }

  /** Upgrades after "STARTTLS" got its OK. */
  async startTls(): Promise<void> {
    const plain = this.socket as net.Socket;
    plain.removeAllListeners("data");
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => resolve());
      secure.once("error", reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Everything received so far, as text (latin1 keeps bytes 1:1). */
  peek(): string {
    return this.buf.toString("utf8");
  }

  take(): string {
    const text = this.buf.toString("utf8");
    this.buf = Buffer.alloc(0);
    return text;
  }

  async readUntil(re: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(this.buf.toString("utf8"))) {
      if (this.closed) throw new Error(`connection closed; got: ${this.peek()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${re}; got: ${this.peek()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.peek();
  }

  /** Sends `tag text` and returns the whole reply up to and including the tagged line. */
  async cmd(tag: string, text: string): Promise<string> {
    this.write(`${tag} ${text}\r\n`);
    return this.reply(tag);
  }

  async reply(tag: string): Promise<string> {
    await this.readUntil(new RegExp(`(^|\\r\\n)${escapeRegExp(tag)} (OK|NO|BAD)[^\\r\\n]*\\r\\n`));
    return this.take();
  }

  async login(user = "alice@example.co.jp", password = "correct horse 1"): Promise<void> {
    const r = await this.cmd("L", `LOGIN ${user} "${password}"`);
    if (!/^L OK/m.test(r)) throw new Error(`login failed: ${r}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
