import { assertAdmin } from "../authz";
import type { CoreContext } from "../context";
import {
  addConnector,
  type ConnectorAccount,
  type ConnectorPatch,
  type ConnectorSummary,
  getConnector,
  listConnectors,
  removeConnectorById,
  updateConnector,
} from "./accounts";
import { type ConnectorPasswordInput, type SealSecret, sealConnectorPasswords } from "./passwords";

/** One step of a connection test, as an admin reads it. */
export interface ConnectorCheck {
  service: "IMAP" | "SMTP";
  step: "dns" | "tcp" | "tls" | "auth" | "folder" | "protocol" | "ok";
  ok: boolean;
  /** English, for the CLI and logs. */
  message: string;
  /**
   * Stable name of the outcome and its facts (packages/sync diagnostics), for a page to word;
   * null when the failure has none, and the page shows `message`.
   */
  code: string | null;
  params: Record<string, string | number>;
}

export interface ConnectorTestResult {
  ok: boolean;
  checks: ConnectorCheck[];
}

/**
 * What administering connectors needs from packages/sync, which holds the server's secret key
 * and the IMAP/SMTP clients (see connectorToolkit there). Core only knows this type, the way the
 * outbound queue only knows ConnectorRoute.
 */
export interface ConnectorToolkit {
  seal: SealSecret;
  test(account: ConnectorAccount): Promise<ConnectorTestResult>;
}

export async function adminListConnectors(ctx: CoreContext, actorId: number): Promise<ConnectorSummary[]> {
  await assertAdmin(ctx.db, actorId);
  return listConnectors(ctx.db);
}

export async function adminAddConnector(
  ctx: CoreContext,
  actorId: number,
  toolkit: ConnectorToolkit,
  inboxAddress: string,
  input: ConnectorPasswordInput,
): Promise<ConnectorAccount> {
  await assertAdmin(ctx.db, actorId);
  return addConnector(ctx, inboxAddress, sealConnectorPasswords(input, toolkit.seal));
}

export async function adminUpdateConnector(
  ctx: CoreContext,
  actorId: number,
  toolkit: ConnectorToolkit,
  accountId: number,
  patch: ConnectorPatch,
): Promise<ConnectorAccount> {
  await assertAdmin(ctx.db, actorId);
  return updateConnector(ctx, accountId, patch, toolkit.seal);
}

/** Connects to the provider with the stored settings and reports each step. */
export async function adminTestConnector(
  ctx: CoreContext,
  actorId: number,
  toolkit: ConnectorToolkit,
  accountId: number,
): Promise<ConnectorTestResult> {
  await assertAdmin(ctx.db, actorId);
  return toolkit.test(await getConnector(ctx.db, accountId));
}

export async function adminRemoveConnector(
  ctx: CoreContext,
  actorId: number,
  accountId: number,
): Promise<void> {
  await assertAdmin(ctx.db, actorId);
  await removeConnectorById(ctx, accountId);
}
