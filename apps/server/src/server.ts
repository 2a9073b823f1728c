import path from "node:path";
import { fileURLToPath } from "node:url";
import { mountApi } from "@madoguchi/api/http";
import { CHANGES_CHANNEL, ChangeFeed, type DnsToolkit } from "@madoguchi/core";
import { dnsCheck, dnsShow, signOutbound as signOutboundMail } from "@madoguchi/smtp";
import {
  type ConnectorWorkers,
  connectorToolkit,
  createConnectorRoute,
  loadSecretKey,
  startConnectorWorkers,
} from "@madoguchi/sync";
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

/** Opens the database, then the listeners; if any step fails, what was opened is closed again. */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const core = await openCore(config);
  let http: RunningHttp | undefined;
  let tls: TlsMaterial | undefined;
  let feed: ChangeFeed | undefined;
  let connectors: ConnectorWorkers | undefined;
  try {
    const firstStart = await prepareFirstStart(core.ctx, config.adminEmail);
    feed = new ChangeFeed(core.db.listen);
    await feed.start(CHANGES_CHANNEL);
    const changeFeed = feed;
    const ctx = core.ctx;
    const signOutbound = (raw: Buffer, domain: string) => signOutboundMail(ctx, raw, domain);
    const secretKey = loadSecretKey({ key: config.connectorSecretKey, dataDir: config.dataDir });
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
          connectors: connectorToolkit(secretKey),
          dns: dnsToolkit(config),
        }),
    });
    tls = await loadOrCreateTls({
      dir: config.tlsDir,
      hostname: config.hostname,
      keyFile: config.tlsKeyFile,
      certFile: config.tlsCertFile,
    });
    // Inboxes connected to another provider: their sync workers, and their outbound route.
    const log = (message: string, err?: unknown) => console.error(`madoguchi: ${message}`, err ?? "");
    const connectorRoute = createConnectorRoute({ ctx, secretKey, log });
    const protocols = await startProtocols({ ctx, config, tls, feed, connectorRoute });
    connectors = startConnectorWorkers({ ctx, feed, config: { secretKey }, log });
    const running = http;
    const runningFeed = feed;
    const runningConnectors = connectors;
    return {
      core,
      http: running,
      protocols,
      firstStart,
      tls,
      async stop() {
        await runningConnectors.close();
        await stopProtocols(protocols);
        await running.close();
        await runningFeed.close();
        await core.close();
      },
    };
  } catch (err) {
    await connectors?.close();
    await http?.close();
    await feed?.close();
    await core.close();
    throw err;
  }
}

/** The admin page's DNS records: the same as `madoguchi dns show` / `dns check`. */
function dnsToolkit(config: ServerConfig): DnsToolkit {
  const names = { hostname: config.hostname, publicIp: config.smtp.publicIp };
  return {
    show: (ctx, domain) => dnsShow(ctx, domain, names),
    check: (ctx, domain) => dnsCheck(ctx, domain, { ...names, dnsServers: config.smtp.dnsServers }),
  };
}
