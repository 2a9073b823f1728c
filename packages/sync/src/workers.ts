import { randomUUID } from "node:crypto";
import os from "node:os";
import {
  type ChangeFeed,
  type CoreContext,
  claimConnectorLease,
  connectorSettingsKey,
  enabledConnectors,
  releaseConnectorLease,
} from "@madoguchi/core";
import { AccountSync, type ConnectorLog } from "./account-sync";
import { type ConnectorConfig, connectorConfig } from "./config";

export interface ConnectorWorkersInput {
  ctx: CoreContext;
  /** Wakes \Seen mirroring when an inbox changes; without it the mirror only polls (seenPollMs). */
  feed?: ChangeFeed;
  config: Partial<ConnectorConfig> & { secretKey: Buffer };
  log?: ConnectorLog;
  /** Lease owner id; unique per process by default. */
  owner?: string;
}

export interface ConnectorWorkers {
  /** Accounts this process syncs right now. */
  active(): number[];
  /** Looks for new or freed accounts now instead of at the next scan. */
  rescan(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Syncs every enabled connected mailbox this process can lease, each on its own connection and
 * loop, so one failing account never stalls the others. Leases are renewed every third of their
 * time; an account whose renewal fails (another process took it after a stall) is stopped here.
 * A process that dies leaves its accounts to the others once the lease expires.
 */
export function startConnectorWorkers(input: ConnectorWorkersInput): ConnectorWorkers {
  const config = connectorConfig(input.config);
  const { ctx, log } = input;
  const owner = input.owner ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // Each running sync with the settings it started with: changed settings restart it.
  const running = new Map<number, { sync: AccountSync; settings: string }>();
  let closed = false;
  let scanning: Promise<void> | null = null;

  const scan = async () => {
    if (closed) return;
    try {
      const accounts = new Map((await enabledConnectors(ctx.db)).map((a) => [a.id, a]));
      for (const [id, { sync, settings }] of running) {
        const account = accounts.get(id);
        const unchanged = account && connectorSettingsKey(account) === settings;
        const stillOurs = unchanged && (await claimConnectorLease(ctx, id, owner, config.leaseMs));
        if (!stillOurs) {
          running.delete(id);
          await sync.stop();
        }
      }
      for (const [id, account] of accounts) {
        if (closed || running.has(id)) continue;
        if (!(await claimConnectorLease(ctx, id, owner, config.leaseMs))) continue;
        const sync = new AccountSync({ ctx, accountId: id, owner, config, log, feed: input.feed });
        running.set(id, { sync, settings: connectorSettingsKey(account) });
        sync.start();
      }
    } catch (err) {
      log?.("connector workers: scan failed", err);
    }
  };
  const runScan = () => {
    scanning ??= scan().finally(() => {
      scanning = null;
    });
    return scanning;
  };
  // Renewal must come well before expiry; the scan doubles as renewal.
  const interval = setInterval(() => void runScan(), Math.min(config.scanMs, config.leaseMs / 3));
  interval.unref();
  void runScan();

  return {
    active: () => [...running.keys()],
    rescan: runScan,
    async close() {
      closed = true;
      clearInterval(interval);
      await scanning;
      const all = [...running];
      running.clear();
      await Promise.all(
        all.map(async ([id, { sync }]) => {
          await sync.stop();
          await releaseConnectorLease(ctx, id, owner).catch(() => {});
        }),
      );
    },
  };
}
