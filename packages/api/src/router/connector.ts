import {
  adminAddConnector,
  adminListConnectors,
  adminRemoveConnector,
  adminTestConnector,
  adminUpdateConnector,
  type ConnectorAccount,
  type ConnectorSummary,
  type ConnectorToolkit,
  folderProgress,
} from "@madoguchi/core";
import { userError } from "../errors";
import { adminProcedure, createRouter } from "../trpc";
import { lastErrorCoded } from "../view/connector-error";
import { iso, isoOrNull } from "../view/iso";
import { accountInput, addInput, enabledInput, mirrorSeenInput, updateInput } from "./connector.types";

/** Field by field, so a sealed password can never slip into an answer. */
const accountView = (a: ConnectorAccount) => ({
  id: a.id,
  inboxId: a.inboxId,
  imapHost: a.imapHost,
  imapPort: a.imapPort,
  imapTls: a.imapTls,
  imapUser: a.imapUser,
  smtpHost: a.smtpHost,
  smtpPort: a.smtpPort,
  smtpTls: a.smtpTls,
  smtpUser: a.smtpUser,
  folders: a.folders,
  sentFolder: a.sentFolder,
  importSince: isoOrNull(a.importSince),
  mirrorSeen: a.mirrorSeen,
  allowInvalidCert: a.allowInvalidCert,
  enabled: a.enabled,
  lastSuccessAt: isoOrNull(a.lastSuccessAt),
  lastError: a.lastError,
  /** The stored code and facts, so the page can word the error in the admin's language. */
  lastErrorCoded: lastErrorCoded(a),
  lastErrorAt: isoOrNull(a.lastErrorAt),
  createdAt: iso(a.createdAt),
});

const summaryView = (a: ConnectorSummary) => ({
  ...accountView(a),
  inboxAddress: a.inboxAddress,
  /** Per followed folder: done/total, rate (messages/s), ETA (s), still importing. */
  progress: a.folderStates.map((f) => ({ ...folderProgress(f), lastSyncAt: isoOrNull(f.lastSyncAt) })),
});

/** Sealing and testing need the server's secret key, which apps/server hands over as a toolkit. */
function toolkitOf(deps: { connectors?: ConnectorToolkit }): ConnectorToolkit {
  if (!deps.connectors)
    throw userError("SERVICE_UNAVAILABLE", "error.busy", "Connectors are not available on this server");
  return deps.connectors;
}

/** External mailboxes connected to shared inboxes (administrators only; core checks again). */
export const connectorRouter = createRouter({
  list: adminProcedure.query(async ({ ctx }) =>
    (await adminListConnectors(ctx.ctx, ctx.user.id)).map(summaryView),
  ),
  add: adminProcedure.input(addInput).mutation(async ({ ctx, input }) => {
    const { inboxAddress, ...settings } = input;
    const toolkit = toolkitOf(ctx.runtime.deps);
    return accountView(await adminAddConnector(ctx.ctx, ctx.user.id, toolkit, inboxAddress, settings));
  }),
  update: adminProcedure.input(updateInput).mutation(async ({ ctx, input }) => {
    const { accountId, ...patch } = input;
    const toolkit = toolkitOf(ctx.runtime.deps);
    return accountView(await adminUpdateConnector(ctx.ctx, ctx.user.id, toolkit, accountId, patch));
  }),
  /** Connects with the stored settings: DNS, TCP, TLS, login, folders, each step reported. */
  test: adminProcedure
    .input(accountInput)
    .mutation(async ({ ctx, input }) =>
      adminTestConnector(ctx.ctx, ctx.user.id, toolkitOf(ctx.runtime.deps), input.accountId),
    ),
  /** Disconnects; imported mail stays, the remote mailbox is not touched. */
  remove: adminProcedure.input(accountInput).mutation(async ({ ctx, input }) => {
    await adminRemoveConnector(ctx.ctx, ctx.user.id, input.accountId);
    return { removed: input.accountId };
  }),
  /** The only switch that lets Madoguchi write to the remote mailbox (\Seen). */
  setMirrorSeen: adminProcedure.input(mirrorSeenInput).mutation(async ({ ctx, input }) => {
    const toolkit = toolkitOf(ctx.runtime.deps);
    const patch = { mirrorSeen: input.mirrorSeen };
    return accountView(await adminUpdateConnector(ctx.ctx, ctx.user.id, toolkit, input.accountId, patch));
  }),
  /** Pauses (false) or resumes syncing; the running sync stops at the workers' next scan. */
  setEnabled: adminProcedure.input(enabledInput).mutation(async ({ ctx, input }) => {
    const toolkit = toolkitOf(ctx.runtime.deps);
    const patch = { enabled: input.enabled };
    return accountView(await adminUpdateConnector(ctx.ctx, ctx.user.id, toolkit, input.accountId, patch));
  }),
});
