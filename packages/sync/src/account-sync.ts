import {
  type ChangeFeed,
  type ConnectorAccount,
  type CoreContext,
  getConnector,
  recordConnectorError,
  recordConnectorSuccess,
} from "@madoguchi/core";
import type { ImapFlow } from "imapflow";
import type { ConnectorConfig } from "./config";
import { ConnectorError, errorRecord, explainConnectError } from "./diagnostics";
import { syncFolder } from "./folder-sync";
import { imapClientFor, type RemoteFolder } from "./imap-client";
import { mirrorSeen } from "./seen-mirror";

export type ConnectorLog = (message: string, err?: unknown) => void;

export interface AccountSyncOptions {
  ctx: CoreContext;
  accountId: number;
  owner: string;
  config: ConnectorConfig;
  log?: ConnectorLog;
  /** Changes in the account's inbox (IMAP \Seen among them) wake the \Seen mirror at once. */
  feed?: ChangeFeed;
  /** Called after each pass that brought every followed folder up to date. */
  onSynced?: () => void;
}

/** The folder watched with IDLE: INBOX when followed, else the first followed one. */
function idleFolderOf(account: ConnectorAccount): string {
  return account.folders.find((f) => f.toUpperCase() === "INBOX") ?? account.folders[0] ?? "INBOX";
}

/** Reconnect delay after `failures` consecutive failures: doubling, capped, with ±20% jitter. */
export function backoffDelay(config: ConnectorConfig, failures: number): number {
  const base = Math.min(config.backoffMaxMs, config.backoffMinMs * 2 ** Math.min(failures - 1, 20));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Keeps one connected account in sync while this process holds its lease: connect, catch up
 * every followed folder, then IDLE on INBOX (a new-mail notification triggers a catch-up of
 * INBOX at once) and check every folder each pollMs; between turns, mirror \Seen when the account
 * has it on (see seen-mirror.ts). Any failure is recorded on the account
 * and followed by a reconnect with backoff; it never escapes to the caller.
 */
export class AccountSync {
  private stopped = false;
  private client: ImapFlow | null = null;
  private wake: (() => void) | null = null;
  private inboxNudged = false;
  private seenNudged = false;
  private failures = 0;
  private done: Promise<void> | null = null;

  constructor(private readonly options: AccountSyncOptions) {}

  start(): void {
    this.done ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    try {
      await this.client?.logout();
    } catch {
      this.client?.close();
    }
    await this.done;
  }

  private nudge(): void {
    this.inboxNudged = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).then(() => {
      this.wake = null;
    });
  }

  private async run(): Promise<void> {
    const { ctx, accountId, config, log } = this.options;
    while (!this.stopped) {
      let account: ConnectorAccount | undefined;
      try {
        account = await getConnector(ctx.db, accountId);
        await this.session(account);
      } catch (err) {
        if (this.stopped) break;
        if ((err as Error).name === "LeaseLostError") {
          log?.(`connector ${accountId}: lease lost, stopping here`);
          break;
        }
        this.failures++;
        const explained = account
          ? explainConnectError(err, "IMAP", account.imapHost, account.imapPort)
          : new ConnectorError("protocol", String((err as Error)?.message ?? err), true);
        log?.(`connector ${accountId}: ${explained.message}`);
        await recordConnectorError(ctx, accountId, errorRecord(explained)).catch((e) =>
          log?.(`connector ${accountId}: could not record the error`, e),
        );
      } finally {
        this.client?.close();
        this.client = null;
      }
      if (this.stopped) break;
      await this.sleep(backoffDelay(config, Math.max(this.failures, 1)));
    }
  }

  /** One connection's life; returns or throws when it ends. */
  private async session(account: ConnectorAccount): Promise<void> {
    const { ctx, config, owner } = this.options;
    const client = imapClientFor(account, {
      secretKey: config.secretKey,
      connectTimeoutMs: config.connectTimeoutMs,
      maxIdleMs: config.maxIdleMs,
    });
    this.client = client;
    let connectionError: unknown = null;
    client.on("error", (err) => {
      connectionError = err;
      this.wake?.();
    });
    client.on("close", () => this.wake?.());
    const idleFolder = idleFolderOf(account);
    client.on("exists", (event) => {
      if (event.path === idleFolder) this.nudge();
    });
    await client.connect();
    const listed = await client.list();
    const remote = new Map<string, RemoteFolder>(
      listed.map((f) => [f.path, { path: f.path, specialUse: f.specialUse ?? null }]),
    );
    const missing = account.folders.filter((f) => !remote.has(f) && f.toUpperCase() !== "INBOX");
    const followed = account.folders.filter((f) => !missing.includes(f));
    const syncOne = (name: string) =>
      syncFolder({
        ctx,
        client,
        account,
        owner,
        remoteName: name,
        folder: remote.get(name),
        batchSize: config.batchSize,
        shouldStop: () => this.stopped,
      });
    const syncAll = async () => {
      for (const name of followed) {
        if (this.stopped) return;
        await syncOne(name);
      }
      if (missing.length)
        throw new ConnectorError(
          "folder",
          `Folder ${missing.join(", ")} does not exist on ${account.imapHost}; the others are synced`,
          false,
          "folder_missing_sync",
          { folders: missing.join(", "), host: account.imapHost },
        );
    };
    const passDone = async () => {
      this.failures = 0;
      await recordConnectorSuccess(ctx, account.id);
      this.options.onSynced?.();
    };
    const unsubscribe = this.options.feed?.subscribe(account.inboxId, () => {
      this.seenNudged = true;
      this.wake?.();
    });
    try {
      await syncAll();
      await passDone();
      await this.mirrorThenIdle(client, idleFolder);
      await this.loop(client, idleFolder, syncOne, syncAll, passDone);
    } finally {
      unsubscribe?.();
    }
    if (!this.stopped)
      throw (
        connectionError ??
        new ConnectorError("tcp", "The connection was closed", true, "connection_closed", {})
      );
  }

  /** \Seen mirroring, then back to the IDLE folder, read-only as always. */
  private async mirrorThenIdle(client: ImapFlow, idleFolder: string): Promise<void> {
    this.seenNudged = false;
    await mirrorSeen({ ctx: this.options.ctx, client, accountId: this.options.accountId });
    if (client.mailbox && client.mailbox.path === idleFolder && client.mailbox.readOnly) return;
    await client.mailboxOpen(idleFolder, { readOnly: true });
  }

  /** Runs until stop() or the connection ends; each turn waits for IDLE news, a change or a poll. */
  private async loop(
    client: ImapFlow,
    idleFolder: string,
    syncOne: (name: string) => Promise<unknown>,
    syncAll: () => Promise<void>,
    passDone: () => Promise<void>,
  ): Promise<void> {
    const { config } = this.options;
    let lastPoll = Date.now();
    let lastSeenCheck = Date.now();
    while (!this.stopped && client.usable) {
      const untilPoll = lastPoll + config.pollMs - Date.now();
      const untilSeen = lastSeenCheck + config.seenPollMs - Date.now();
      const wait = Math.min(untilPoll, untilSeen);
      if (!this.inboxNudged && !this.seenNudged && wait > 0) await this.sleep(wait);
      if (this.stopped || !client.usable) break;
      if (this.inboxNudged) {
        this.inboxNudged = false;
        await syncOne(idleFolder);
        await passDone();
      }
      if (Date.now() - lastPoll >= config.pollMs) {
        lastPoll = Date.now();
        await syncAll();
        if (client.mailbox && client.mailbox.path !== idleFolder)
          await client.mailboxOpen(idleFolder, { readOnly: true });
        await passDone();
      }
      if (this.seenNudged || Date.now() - lastSeenCheck >= config.seenPollMs) {
        lastSeenCheck = Date.now();
        await this.mirrorThenIdle(client, idleFolder);
      }
    }
  }
}
