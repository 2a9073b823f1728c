import path from "node:path";
import { fileURLToPath } from "node:url";
import { CHANGES_CHANNEL, ChangeFeed } from "@madoguchi/core";
import { loadOrCreateTls, type TlsMaterial } from "@madoguchi/tls";
import { sql } from "drizzle-orm";
import type { ServerConfig } from "./env";
import { type FirstStart, prepareFirstStart } from "./first-start";
import { type RunningHttp, startHttpServer } from "./http";
import { type ProtocolStatus, startProtocols, stopProtocols } from "./listeners";
import { type OpenCore, openCore } from "./open-core";

export interface RunningServer {
  core: OpenCore;
  http: RunningHttp;
  protocols: ProtocolStatus[];
  firstStart: FirstStart;
  tls: TlsMaterial;
  /** Stops accepting connections, lets running requests finish briefly, closes the database. */
  stop(): Promise<void>;
}

const indexHtmlPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../web/index.html");

/** Opens the database, then the listeners; if any step fails, what was opened is closed again. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const core = await openCore(config);
  let http: RunningHttp | undefined;
  let tls: TlsMaterial | undefined;
  let feed: ChangeFeed | undefined;
  try {
    const firstStart = await prepareFirstStart(core.ctx, config.adminEmail);
    http = await startHttpServer({
      bind: config.bind,
      port: config.ports.http,
      indexHtmlPath,
      isHealthy: async () => {
        await core.ctx.db.execute(sql`select 1`);
        return true;
      },
    });
    tls = await loadOrCreateTls({
      dir: config.tlsDir,
      hostname: config.hostname,
      keyFile: config.tlsKeyFile,
      certFile: config.tlsCertFile,
    });
    feed = new ChangeFeed(core.db.listen);
    await feed.start(CHANGES_CHANNEL);
    const protocols = await startProtocols({ ctx: core.ctx, config, tls, feed });
    const running = http;
    const runningFeed = feed;
    return {
      core,
      http: running,
      protocols,
      firstStart,
      tls,
      async stop() {
        await stopProtocols(protocols);
        await running.close();
        await runningFeed.close();
        await core.close();
      },
    };
  } catch (err) {
    await http?.close();
    await feed?.close();
    await core.close();
    throw err;
  }
}
