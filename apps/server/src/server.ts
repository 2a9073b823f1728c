import path from "node:path";
import { fileURLToPath } from "node:url";
import { mountApi } from "@madoguchi/api/http";
import { CHANGES_CHANNEL, ChangeFeed, type CoreContext } from "@madoguchi/core";
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

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../web");
const indexHtmlPath = path.join(webDir, "index.html");

type Signer = (raw: Buffer, domain: string) => Promise<Buffer>;

/** DKIM signing from @madoguchi/smtp when that package is built; web replies go out unsigned otherwise. */
async function loadSigner(ctx: CoreContext): Promise<Signer | undefined> {
  const pkg = "@madoguchi/smtp";
  try {
    import.meta.resolve(pkg);
  } catch {
    return undefined;
  }
  const mod = (await import(pkg)) as {
    signOutbound?: (c: CoreContext, raw: Buffer, d: string) => Promise<Buffer>;
  };
  const sign = mod.signOutbound;
  return sign ? (raw, domain) => sign(ctx, raw, domain) : undefined;
}

/** Opens the database, then the listeners; if any step fails, what was opened is closed again. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const core = await openCore(config);
  let http: RunningHttp | undefined;
  let tls: TlsMaterial | undefined;
  let feed: ChangeFeed | undefined;
  try {
    const firstStart = await prepareFirstStart(core.ctx, config.adminEmail);
    feed = new ChangeFeed(core.db.listen);
    await feed.start(CHANGES_CHANNEL);
    const changeFeed = feed;
    const signOutbound = await loadSigner(core.ctx);
    http = await startHttpServer({
      bind: config.bind,
      port: config.ports.http,
      indexHtmlPath,
      webDistDir: path.join(webDir, "dist"),
      isHealthy: async () => {
        await core.ctx.db.execute(sql`select 1`);
        return true;
      },
      mount: (server) =>
        mountApi(server, {
          ctx: core.ctx,
          feed: changeFeed,
          hostname: config.hostname,
          databaseUrl: config.databaseUrl,
          signOutbound,
        }),
    });
    tls = await loadOrCreateTls({
      dir: config.tlsDir,
      hostname: config.hostname,
      keyFile: config.tlsKeyFile,
      certFile: config.tlsCertFile,
    });
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
