import path from "node:path";
import type { CoreContext } from "@madoguchi/core";
import { createSelfSigned, loadOrCreateTls } from "@madoguchi/tls";
import { MaildropLocks } from "./locks";
import { createPop3Server } from "./server";

export { IDLE_TIMEOUT_MS, MAX_BAD_COMMANDS, MAX_LINE_LENGTH } from "./limits";
export { MaildropLocks } from "./locks";
export { parseLoginName } from "./login-name";
export { createPop3Server, type Pop3Server, type Pop3ServerOptions } from "./server";
export { coreStore, type Pop3Store } from "./store";

/** What apps/server hands every protocol package (a structural subset of its ServerConfig). */
export interface ListenerDeps {
  ctx: CoreContext;
  config: { bind: string; hostname: string; dataDir?: string; ports: { pop3: number; pop3s: number } };
  tls?: { key: string; cert: string };
}

export interface RunningListener {
  name: string;
  address: string;
  close(): Promise<void>;
}

/** POP3 with STLS on ports.pop3 and POP3 over TLS on ports.pop3s, sharing one maildrop lock table. */
export async function startListeners(deps: ListenerDeps): Promise<RunningListener[]> {
  const { config } = deps;
  const material = deps.tls ?? (await fallbackTls(config));
  const locks = new MaildropLocks();
  const specs = [
    { name: "STLS", port: config.ports.pop3, implicitTls: false },
    { name: "TLS", port: config.ports.pop3s, implicitTls: true },
  ];
  const running: RunningListener[] = [];
  try {
    for (const spec of specs) {
      const server = createPop3Server({
        ctx: deps.ctx,
        hostname: config.hostname,
        tls: material,
        implicitTls: spec.implicitTls,
        locks,
      });
      const bound = await server.listen(spec.port, config.bind);
      const host = bound.host.includes(":") ? `[${bound.host}]` : bound.host;
      running.push({ name: spec.name, address: `${host}:${bound.port}`, close: () => server.close() });
    }
  } catch (error) {
    await Promise.allSettled(running.map((l) => l.close()));
    throw error;
  }
  return running;
}

/** Without a certificate from the server, the one self-signed certificate kept in the data directory. */
async function fallbackTls(config: ListenerDeps["config"]): Promise<{ key: string; cert: string }> {
  if (!config.dataDir) return createSelfSigned(config.hostname);
  return loadOrCreateTls({ dir: path.join(config.dataDir, "tls"), hostname: config.hostname });
}
