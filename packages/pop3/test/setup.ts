import { AuthThrottle, type CoreContext, deliver, findInboxByAddress, listMailboxes } from "@madoguchi/core";
import { createSelfSigned } from "@madoguchi/tls";
import { createTeam, type Team } from "../../core/test/fixtures";
import { createTestEnv, type TestEnv } from "../../core/test/harness";
import { createPop3Server, type Pop3ServerOptions } from "../src/server";
import type { Pop3Store } from "../src/store";

export { drivers } from "../../core/test/harness";

export const PASSWORDS = {
  alice: "correct horse 1",
  bob: "correct horse 2",
  carol: "correct horse 3",
} as const;

let certificate: Promise<{ key: string; cert: string }> | undefined;
/** One self-signed certificate for localhost/127.0.0.1 per test file. */
export const testTls = () => {
  certificate ??= createSelfSigned("localhost");
  return certificate;
};

export interface Pop3TestEnv {
  env: TestEnv;
  team: Team;
  /** A context with its own login throttle, so failed logins in one test do not slow the next. */
  ctx: CoreContext & { throttle: AuthThrottle };
  tls: { key: string; cert: string };
  /** Port with STLS, port with implicit TLS. */
  plainPort: number;
  tlsPort: number;
  inboxOf(address: string, userId: number): Promise<number>;
  /** Another pair of servers on the same database, e.g. with a failing store. */
  startServers(extra?: Partial<Pop3ServerOptions>): Promise<{ plainPort: number; tlsPort: number }>;
  close(): Promise<void>;
}

export async function createPop3TestEnv(driver: TestEnv["driver"]): Promise<Pop3TestEnv> {
  const env = await createTestEnv(driver);
  const team = await createTeam(env.ctx);
  const ctx = {
    get db() {
      return env.ctx.db;
    },
    blobs: env.ctx.blobs,
    throttle: new AuthThrottle(),
  };
  const tls = await testTls();
  const closers: Array<() => Promise<void>> = [];
  async function startServers(extra: Partial<Pop3ServerOptions> = {}) {
    const base = { ctx, hostname: "localhost", tls, onError: () => {}, ...extra };
    const plain = createPop3Server(base);
    const secure = createPop3Server({ ...base, implicitTls: true });
    closers.push(
      () => plain.close(),
      () => secure.close(),
    );
    const [p, s] = await Promise.all([plain.listen(0, "127.0.0.1"), secure.listen(0, "127.0.0.1")]);
    return { plainPort: p.port, tlsPort: s.port };
  }
  const { plainPort, tlsPort } = await startServers();
  return {
    env,
    team,
    ctx,
    tls,
    plainPort,
    tlsPort,
    async inboxOf(address, userId) {
      const box = (await listMailboxes(ctx, userId)).find(
        (m) => m.inboxAddress === address && m.name === "INBOX",
      );
      if (!box) throw new Error(`no INBOX for ${address}`);
      return box.id;
    },
    startServers,
    async close() {
      await Promise.allSettled(closers.map((c) => c()));
      await env.close();
    },
  };
}

/** Delivers to an inbox by address, as the MX would; returns the UID. */
export async function deliverTo(t: Pop3TestEnv, address: string, raw: Buffer): Promise<number> {
  const inbox = await findInboxByAddress(t.ctx.db, address);
  if (!inbox) throw new Error(`no inbox ${address}`);
  return (await deliver(t.ctx, inbox.id, raw)).uid;
}

/** A store whose chosen operations fail, for the [SYS/TEMP] paths. */
export function failingStore(inner: Pop3Store, fail: Partial<Record<keyof Pop3Store, boolean>>): Pop3Store {
  const boom = () => {
    throw new Error("injected storage failure");
  };
  return {
    open: fail.open ? async () => boom() : inner.open,
    stream: fail.stream ? () => inner.stream("0".repeat(64)) : inner.stream,
    markSeen: fail.markSeen ? async () => boom() : inner.markSeen,
    hide: fail.hide ? async () => boom() : inner.hide,
  };
}
