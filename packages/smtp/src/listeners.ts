import os from "node:os";
import path from "node:path";
import { type ConnectorRoute, type CoreContext, DEFAULT_RETRY_POLICY } from "@madoguchi/core";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import { loadOrCreateTls, type TlsMaterial } from "@madoguchi/tls";
import type { SmtpServerConfig, SmtpSettings } from "./config";
import { Dnsbl } from "./dnsbl";
import { createInboundServer, type InboundDeps } from "./inbound";
import {
  type IngestRequest,
  type IngestResult,
  type IngestSettings,
  ingest,
  ingestEnv,
} from "./ingest/ingest";
import { IngestPool } from "./ingest/ingest-pool";
import {
  DEFAULT_LIMITS,
  DELIVERY_LEASE_MS,
  type InboundLimits,
  OUTBOUND_CONCURRENCY,
  OUTBOUND_PORT,
  QUEUE_POLL_MS,
  STOP_GRACE_MS,
} from "./limits";
import { mxRouter } from "./outbound/mx";
import { QueueWorker } from "./outbound/queue-worker";
import type { Router } from "./outbound/route";
import { smarthostRouter } from "./outbound/smarthost";
import { sendOnce } from "./outbound/transport";
import { LocalRecipients } from "./recipients";
import { createResolver, withAnswerCache } from "./resolver";
import { type BoundServer, listen, PeerLimits } from "./server-base";
import { createSubmissionServer } from "./submission";

/** What apps/server passes (its ListenerDeps); tls and feed are optional here. */
export interface SmtpDeps {
  ctx: CoreContext;
  config: SmtpServerConfig;
  tls?: TlsMaterial;
  feed?: unknown;
  /** Errors nobody waits for (a delivery worker's database trouble); default: console.error. */
  onError?: (err: unknown) => void;
  /** Outbound route through an inbox's external provider (packages/sync), tried before MX delivery. */
  connectorRoute?: ConnectorRoute;
}

export interface RunningListener {
  name: string;
  address: string;
  close(): Promise<void>;
}

export function limitsOf(settings: SmtpSettings): InboundLimits {
  return { ...DEFAULT_LIMITS, ...settings.limits };
}

export function routerOf(config: SmtpServerConfig): Router {
  const settings = config.smtp ?? {};
  const viaHost: Parameters<typeof mxRouter>[2] = (target, envelope, raw, signal) =>
    sendOnce(target, envelope, raw, config.hostname, signal);
  if (settings.smarthost) return smarthostRouter(settings.smarthost, viaHost);
  return mxRouter(createResolver(settings.dnsServers), settings.outboundPort ?? OUTBOUND_PORT, viaHost);
}

/** The outbound delivery workers of this process, started. */
export function startQueueWorker(deps: SmtpDeps, router = routerOf(deps.config)): QueueWorker {
  const settings = deps.config.smtp ?? {};
  const worker = new QueueWorker({
    ctx: deps.ctx,
    hostname: deps.config.hostname,
    router,
    policy: { ...DEFAULT_RETRY_POLICY, ...settings.retry },
    concurrency: settings.outboundConcurrency ?? OUTBOUND_CONCURRENCY,
    leaseMs: settings.deliveryLeaseMs ?? DELIVERY_LEASE_MS,
    pollMs: settings.queuePollMs ?? QUEUE_POLL_MS,
    onError: deps.onError ?? ((err) => console.error("madoguchi smtp: outbound delivery:", err)),
    connectorRoute: deps.connectorRoute,
  });
  worker.start();
  return worker;
}

/** Default worker threads for inbound mail: see SmtpSettings.ingestWorkers. */
const defaultIngestWorkers = (): number => Math.max(1, os.availableParallelism() - 1);

/** ingest() for the MX: in worker threads unless configured off (or the blobs are not on disk here). */
function startIngestion(
  ctx: CoreContext,
  config: SmtpServerConfig,
): { run(request: IngestRequest): Promise<IngestResult>; close(): Promise<void> } {
  const settings = config.smtp ?? {};
  const ingestSettings: IngestSettings = {
    hostname: config.hostname,
    dnsServers: settings.dnsServers,
    dmarcRejectAction: settings.dmarcRejectAction ?? "reject",
  };
  const workers = settings.ingestWorkers ?? defaultIngestWorkers();
  if (workers > 0 && ctx.blobs instanceof FsBlobStore) {
    const pool = new IngestPool(workers, { ...ingestSettings, blobsDir: ctx.blobs.dir });
    return { run: (request) => pool.run(request), close: () => pool.close() };
  }
  const env = ingestEnv(ingestSettings, ctx.blobs);
  return { run: (request) => ingest(request, env), close: async () => {} };
}

/** The blocklists of the settings, looked up through a caching resolver (answers for a minute). */
function dnsblOf(settings: SmtpSettings, warn: (message: string) => void): InboundDeps["dnsbl"] {
  const given = settings.dnsbl;
  if (!given?.zones.length) return null;
  return {
    lists: new Dnsbl(given, withAnswerCache(createResolver(settings.dnsServers)), warn),
    action: given.action,
  };
}

/**
 * Binds MX (ports.smtp), submission with STARTTLS (ports.submission) and with implicit TLS
 * (ports.submissions) on config.bind, and starts the outbound delivery workers.
 */
export async function startListeners(deps: SmtpDeps): Promise<RunningListener[]> {
  const { ctx, config } = deps;
  const settings = config.smtp ?? {};
  const limits = limitsOf(settings);
  const tls =
    deps.tls ?? (await loadOrCreateTls({ dir: path.join(config.dataDir, "tls"), hostname: config.hostname }));
  const peers = new PeerLimits(limits);
  const router = routerOf(config);
  const worker = settings.outboundWorkers === false ? null : startQueueWorker(deps, router);
  const onError = deps.onError ?? ((err: unknown) => console.error("madoguchi smtp:", err));
  const recipients = new LocalRecipients(ctx);
  const common = { ctx, recipients, hostname: config.hostname, tls, limits, peers, onError };
  const bound: { name: string; server: BoundServer }[] = [];
  try {
    const ingestion = startIngestion(ctx, config);
    const mx = createInboundServer({
      ...common,
      ingest: ingestion.run,
      dnsbl: dnsblOf(settings, (m) => onError(new Error(m))),
    });
    const server = await listen(mx, config.bind, config.ports.smtp).catch(async (err: unknown) => {
      await ingestion.close();
      throw err;
    });
    bound.push({
      name: "MX",
      server: { ...server, close: () => server.close().finally(ingestion.close) },
    });
    const onQueued = () => worker?.nudge();
    const submission = createSubmissionServer({ ...common, onQueued }, false);
    bound.push({
      name: "submission, STARTTLS",
      server: await listen(submission, config.bind, config.ports.submission),
    });
    const submissions = createSubmissionServer({ ...common, onQueued }, true);
    bound.push({
      name: "submission, TLS",
      server: await listen(submissions, config.bind, config.ports.submissions),
    });
  } catch (err) {
    await Promise.allSettled([...bound.map((b) => b.server.close()), worker?.stop(0)]);
    throw err;
  }
  const listeners: RunningListener[] = bound.map(({ name, server }) => ({
    name,
    address: server.address,
    close: () => server.close(),
  }));
  if (worker) {
    listeners.push({
      name: "outbound delivery",
      address: router.description,
      close: () => worker.stop(STOP_GRACE_MS),
    });
  }
  return listeners;
}
