import type { Queryable } from "@madoguchi/db/client";
import {
  type ConnectorErrorContext,
  type ConnectorErrorParams,
  type ConnectorTlsMode,
  connectorAccounts,
  connectorFolders,
  inboxes,
} from "@madoguchi/db/schema";
import { asc, eq, sql } from "drizzle-orm";
import { type CoreContext, nowOf } from "../context";
import { findInboxByAddress } from "../directory/inboxes";
import { AppError } from "../errors";
import type { ConnectorPasswordInput, SealSecret } from "./passwords";

export type ConnectorAccount = typeof connectorAccounts.$inferSelect;
export type ConnectorFolder = typeof connectorFolders.$inferSelect;
export type { ConnectorErrorContext, ConnectorErrorParams, ConnectorTlsMode } from "@madoguchi/db/schema";

export interface ConnectorInput {
  imapHost: string;
  imapPort: number;
  imapTls: ConnectorTlsMode;
  imapUser: string;
  /** Already sealed (see sealConnectorPasswords); the database never sees clear passwords. */
  imapPasswordSealed: string;
  smtpHost?: string | null;
  smtpPort?: number | null;
  smtpTls?: ConnectorTlsMode | null;
  smtpUser?: string | null;
  smtpPasswordSealed?: string | null;
  folders?: string[];
  sentFolder?: string | null;
  importSince?: Date | null;
  mirrorSeen?: boolean;
  allowInvalidCert?: boolean;
}

const TLS_MODES: readonly ConnectorTlsMode[] = ["tls", "starttls", "none"];

function validate(input: ConnectorInput): void {
  if (!input.imapHost.trim()) throw new AppError("INVALID_INPUT", "IMAP host is required");
  for (const [what, port] of [
    ["IMAP", input.imapPort],
    ["SMTP", input.smtpPort],
  ] as const) {
    if (port !== undefined && port !== null && !(Number.isInteger(port) && port > 0 && port < 65536))
      throw new AppError("INVALID_INPUT", `${what} port ${port} is not a port number`);
  }
  for (const mode of [input.imapTls, input.smtpTls]) {
    if (mode && !TLS_MODES.includes(mode))
      throw new AppError("INVALID_INPUT", `TLS mode must be one of ${TLS_MODES.join(", ")}, not ${mode}`);
  }
  if (input.smtpHost && !input.smtpPort)
    throw new AppError("INVALID_INPUT", "SMTP port is required with an SMTP host");
  const folders = input.folders ?? ["INBOX"];
  if (!folders.length || folders.some((f) => !f.trim()))
    throw new AppError("INVALID_INPUT", "Follow at least one folder, e.g. INBOX");
}

/** Resolves an inbox address to its shared inbox id, with the error a CLI user understands. */
export async function sharedInboxIdOf(db: Queryable, address: string): Promise<number> {
  const inbox = await findInboxByAddress(db, address);
  if (!inbox) throw new AppError("NOT_FOUND", `No inbox ${address.trim().toLowerCase()}`);
  if (inbox.kind !== "shared")
    throw new AppError("INVALID_INPUT", `${inbox.address} is a personal inbox; connect a shared one`);
  return inbox.id;
}

/** Connects an external mailbox to a shared inbox (one per inbox). */
export async function addConnector(
  ctx: CoreContext,
  inboxAddress: string,
  input: ConnectorInput,
): Promise<ConnectorAccount> {
  validate(input);
  return ctx.db.transaction(async (tx) => {
    const inboxId = await sharedInboxIdOf(tx, inboxAddress);
    const [existing] = await tx
      .select({ id: connectorAccounts.id })
      .from(connectorAccounts)
      .where(eq(connectorAccounts.inboxId, inboxId));
    if (existing)
      throw new AppError("CONFLICT", `${inboxAddress} already has a connected mailbox; remove it first`);
    const [row] = await tx
      .insert(connectorAccounts)
      .values({
        inboxId,
        imapHost: input.imapHost.trim(),
        imapPort: input.imapPort,
        imapTls: input.imapTls,
        imapUser: input.imapUser,
        imapPasswordSealed: input.imapPasswordSealed,
        smtpHost: input.smtpHost?.trim() || null,
        smtpPort: input.smtpPort ?? null,
        smtpTls: input.smtpTls ?? null,
        smtpUser: input.smtpUser ?? null,
        smtpPasswordSealed: input.smtpPasswordSealed ?? null,
        folders: [...new Set(input.folders ?? ["INBOX"])],
        sentFolder: input.sentFolder ?? null,
        importSince: input.importSince ?? null,
        mirrorSeen: input.mirrorSeen ?? false,
        allowInvalidCert: input.allowInvalidCert ?? false,
        createdAt: nowOf(ctx),
      })
      .returning();
    if (!row) throw new Error("insert into connector_accounts returned nothing");
    return row;
  });
}

/** A change to an account; passwords only when they change. */
export type ConnectorPatch = Partial<Omit<ConnectorPasswordInput, "imapPassword">> & {
  imapPassword?: string;
  enabled?: boolean;
};

const pick = <T>(patched: T | undefined, current: T): T => (patched === undefined ? current : patched);

/**
 * Changes an account's settings. The sync picks up connection changes at its next scan
 * (workers compare connectorSettingsKey). Without an SMTP host the SMTP settings are cleared.
 */
export async function updateConnector(
  ctx: CoreContext,
  accountId: number,
  patch: ConnectorPatch,
  seal: SealSecret,
): Promise<ConnectorAccount> {
  return ctx.db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(connectorAccounts)
      .where(eq(connectorAccounts.id, accountId))
      .for("update");
    if (!current) throw new AppError("NOT_FOUND", `Connector ${accountId} does not exist`);
    const smtpHost = pick(patch.smtpHost, current.smtpHost)?.trim() || null;
    const imapPasswordSealed =
      patch.imapPassword !== undefined ? seal(patch.imapPassword) : current.imapPasswordSealed;
    const smtpPasswordSealed = !smtpHost
      ? null
      : patch.smtpPassword
        ? seal(patch.smtpPassword)
        : (current.smtpPasswordSealed ?? imapPasswordSealed);
    const merged: ConnectorInput = {
      imapHost: pick(patch.imapHost, current.imapHost),
      imapPort: pick(patch.imapPort, current.imapPort),
      imapTls: pick(patch.imapTls, current.imapTls),
      imapUser: pick(patch.imapUser, current.imapUser),
      imapPasswordSealed,
      smtpHost,
      smtpPort: smtpHost ? pick(patch.smtpPort, current.smtpPort) : null,
      smtpTls: smtpHost ? (pick(patch.smtpTls, current.smtpTls) ?? "tls") : null,
      smtpUser: smtpHost ? pick(patch.smtpUser, current.smtpUser) : null,
      smtpPasswordSealed,
      folders: pick(patch.folders, current.folders),
      sentFolder: pick(patch.sentFolder, current.sentFolder),
      importSince: pick(patch.importSince, current.importSince),
      mirrorSeen: pick(patch.mirrorSeen, current.mirrorSeen),
      allowInvalidCert: pick(patch.allowInvalidCert, current.allowInvalidCert),
    };
    validate(merged);
    const [row] = await tx
      .update(connectorAccounts)
      .set({
        ...merged,
        imapHost: merged.imapHost.trim(),
        folders: [...new Set(merged.folders ?? ["INBOX"])],
        enabled: pick(patch.enabled, current.enabled),
      })
      .where(eq(connectorAccounts.id, accountId))
      .returning();
    if (!row) throw new AppError("NOT_FOUND", `Connector ${accountId} does not exist`);
    return row;
  });
}

/**
 * The settings a running sync depends on; when they change, the workers restart that sync.
 * mirrorSeen is left out on purpose: the mirror reads it fresh on every pass.
 */
export function connectorSettingsKey(a: ConnectorAccount): string {
  return JSON.stringify([
    a.imapHost,
    a.imapPort,
    a.imapTls,
    a.imapUser,
    a.imapPasswordSealed,
    a.folders,
    a.importSince?.getTime() ?? null,
    a.allowInvalidCert,
  ]);
}

export async function getConnector(db: Queryable, accountId: number): Promise<ConnectorAccount> {
  const [row] = await db.select().from(connectorAccounts).where(eq(connectorAccounts.id, accountId));
  if (!row) throw new AppError("NOT_FOUND", `Connector ${accountId} does not exist`);
  return row;
}

export async function findConnectorByInbox(
  db: Queryable,
  inboxId: number,
): Promise<ConnectorAccount | undefined> {
  const [row] = await db.select().from(connectorAccounts).where(eq(connectorAccounts.inboxId, inboxId));
  return row;
}

export interface ConnectorSummary extends ConnectorAccount {
  inboxAddress: string;
  folderStates: ConnectorFolder[];
}

export async function listConnectors(db: Queryable): Promise<ConnectorSummary[]> {
  const rows = await db
    .select({ account: connectorAccounts, inboxAddress: inboxes.address })
    .from(connectorAccounts)
    .innerJoin(inboxes, eq(inboxes.id, connectorAccounts.inboxId))
    .orderBy(asc(connectorAccounts.id));
  const folders = await db.select().from(connectorFolders).orderBy(asc(connectorFolders.id));
  return rows.map((r) => ({
    ...r.account,
    inboxAddress: r.inboxAddress,
    folderStates: folders.filter((f) => f.accountId === r.account.id),
  }));
}

/** Disconnects; mail already imported stays in the inbox. The remote mailbox is not touched. */
export async function removeConnector(ctx: CoreContext, inboxAddress: string): Promise<void> {
  const inboxId = await sharedInboxIdOf(ctx.db, inboxAddress);
  const deleted = await ctx.db
    .delete(connectorAccounts)
    .where(eq(connectorAccounts.inboxId, inboxId))
    .returning({ id: connectorAccounts.id });
  if (!deleted.length) throw new AppError("NOT_FOUND", `${inboxAddress} has no connected mailbox`);
}

/** Disconnects by account id (admin API); as removeConnector otherwise. */
export async function removeConnectorById(ctx: CoreContext, accountId: number): Promise<void> {
  const deleted = await ctx.db
    .delete(connectorAccounts)
    .where(eq(connectorAccounts.id, accountId))
    .returning({ id: connectorAccounts.id });
  if (!deleted.length) throw new AppError("NOT_FOUND", `Connector ${accountId} does not exist`);
}

/** A connector failure as recorded: the English message, and when it has one, its code and facts. */
export interface ConnectorErrorRecord {
  /** English, for the CLI and logs, without the job's name (added from `context`). */
  message: string;
  /** packages/sync's ConnectorErrorCode; null or absent when the message is all there is. */
  code?: string | null;
  params?: ConnectorErrorParams | null;
  /** Which job failed; null or absent for the sync itself. */
  context?: ConnectorErrorContext | null;
}

/** How the CLI has always named the job before the message. */
const CONTEXT_PREFIX: Record<ConnectorErrorContext, string> = {
  sending: "Sending: ",
  sentCopy: "Sent copy: ",
};

/**
 * Error shown per account (admin page, CLI list); the time of the last success stays. The
 * English text keeps the job's name in front, as the CLI prints it; the code, facts and job are
 * stored apart, for the admin page.
 */
export async function recordConnectorError(ctx: CoreContext, accountId: number, error: ConnectorErrorRecord) {
  const context = error.context ?? null;
  const text = `${context ? CONTEXT_PREFIX[context] : ""}${error.message}`;
  await ctx.db
    .update(connectorAccounts)
    .set({
      lastError: text.slice(0, 2000),
      lastErrorCode: error.code ?? null,
      // Without a code, the message itself is the detail the page shows (after the job's name).
      lastErrorParams: error.params ?? (error.code ? {} : { detail: error.message }),
      lastErrorContext: context,
      lastErrorAt: nowOf(ctx),
    })
    .where(eq(connectorAccounts.id, accountId));
}

export async function recordConnectorSuccess(ctx: CoreContext, accountId: number) {
  await ctx.db
    .update(connectorAccounts)
    .set({
      lastError: null,
      lastErrorCode: null,
      lastErrorParams: null,
      lastErrorContext: null,
      lastSuccessAt: nowOf(ctx),
    })
    .where(eq(connectorAccounts.id, accountId));
}

export async function enabledConnectorIds(db: Queryable): Promise<number[]> {
  return (await enabledConnectors(db)).map((r) => r.id);
}

export function enabledConnectors(db: Queryable): Promise<ConnectorAccount[]> {
  return db
    .select()
    .from(connectorAccounts)
    .where(sql`${connectorAccounts.enabled}`)
    .orderBy(asc(connectorAccounts.id));
}
