import {
  type ConnectorAccount,
  type ConnectorDelivery,
  type ConnectorRoute,
  type CoreContext,
  type DeliveryOutcome,
  findConnectorByInbox,
  type RecipientResult,
  recordConnectorError,
} from "@madoguchi/core";
import type { ConnectorLog } from "./account-sync";
import { ConnectorError, errorRecord, explainConnectError } from "./diagnostics";
import { imapClientFor } from "./imap-client";
import { smtpTransportFor } from "./smtp-client";

export interface ConnectorRouteOptions {
  ctx: CoreContext;
  secretKey: Buffer;
  timeoutMs?: number;
  log?: ConnectorLog;
}

interface SmtpErrorLike {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

function result(code: number | null, response: string, remoteMta: string): RecipientResult {
  const status = code === null ? null : code >= 500 ? "5.0.0" : code >= 400 ? "4.0.0" : "2.0.0";
  return { code, status, response, remoteMta, at: new Date().toISOString() };
}

/** The provider's SMTP answered with an error: its reply, kept word for word as the message. */
function smtpReplyError(reply: string, host: string, port: number): ConnectorError {
  return new ConnectorError("protocol", reply, true, "protocol_error", {
    service: "SMTP",
    host,
    port,
    detail: reply,
  });
}

/**
 * Copies a sent message to the provider's Sent folder, as a mail client would, once: a retry
 * after a crash first looks the Message-ID up there. The only write this connector makes to
 * the remote mailbox besides the optional \Seen mirror.
 */
export async function appendSentCopy(
  account: ConnectorAccount,
  secretKey: Buffer,
  raw: Buffer,
  messageIdHeader: string,
  timeoutMs: number,
): Promise<string> {
  const client = imapClientFor(account, { secretKey, connectTimeoutMs: timeoutMs });
  client.on("error", () => {});
  await client.connect();
  try {
    let folder = account.sentFolder;
    if (!folder) {
      const listed = await client.list();
      folder = listed.find((f) => f.specialUse === "\\Sent")?.path ?? "Sent";
    }
    const lock = await client.getMailboxLock(folder, { readOnly: true });
    let present = false;
    try {
      const hits = await client.search({ header: { "message-id": messageIdHeader } }, { uid: true });
      present = Array.isArray(hits) && hits.length > 0;
    } finally {
      lock.release();
    }
    if (!present) await client.append(folder, raw, ["\\Seen"]);
    return folder;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * The outbound route for connected inboxes: the provider's SMTP server relays (nodemailer,
 * authenticated as the account), then the message is APPENDed to the provider's Sent folder.
 * Verdicts follow the queue's rules: 2xx delivered, 5xx failed (bounced), anything else
 * deferred and retried by the queue.
 */
export function createConnectorRoute(options: ConnectorRouteOptions): ConnectorRoute {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    async attempt(delivery: ConnectorDelivery): Promise<DeliveryOutcome | null> {
      const account = await findConnectorByInbox(options.ctx.db, delivery.inboxId);
      if (!account?.smtpHost || !account.smtpPort) return null;
      const transport = smtpTransportFor(account, options.secretKey, timeoutMs);
      if (!transport) return null;
      const mta = `${account.smtpHost}:${account.smtpPort}`;
      const outcome: DeliveryOutcome = { delivered: {}, failed: {}, deferred: {} };
      const onAbort = () => transport.close();
      delivery.signal.addEventListener("abort", onAbort, { once: true });
      try {
        const info = await transport.sendMail({ envelope: delivery.envelope, raw: delivery.raw });
        const rejectedErrors = (info.rejectedErrors ?? []) as (SmtpErrorLike & { recipient?: string })[];
        for (const rcpt of delivery.envelope.to) {
          const rejected = rejectedErrors.find((e) => e.recipient === rcpt);
          if (rejected) {
            const code = rejected.responseCode ?? null;
            const r = result(code, rejected.response ?? rejected.message ?? "rejected", mta);
            if ((code ?? 0) >= 500) outcome.failed[rcpt] = r;
            else outcome.deferred[rcpt] = r;
          } else {
            outcome.delivered[rcpt] = result(250, info.response ?? "250 accepted", mta);
          }
        }
      } catch (err) {
        const e = err as SmtpErrorLike;
        const code = e.responseCode ?? null;
        const reply = code !== null ? (e.response ?? e.message ?? "") : null;
        // A refused login is the account's settings (auth_failed); any other reply is the remote
        // server's own text, stored as protocol_error with the text as the detail, so the page
        // still names the server ("SMTP host:port でエラー…: 550 …") rather than bare English.
        const error =
          reply !== null && e.code !== "EAUTH"
            ? smtpReplyError(reply, account.smtpHost, account.smtpPort)
            : explainConnectError(err, "SMTP", account.smtpHost, account.smtpPort);
        const text = reply ?? error.message;
        for (const rcpt of delivery.envelope.to) {
          if ((code ?? 0) >= 500) outcome.failed[rcpt] = result(code, text, mta);
          else outcome.deferred[rcpt] = result(code, text, mta);
        }
        await recordConnectorError(options.ctx, account.id, errorRecord(error, "sending")).catch(() => {});
      } finally {
        delivery.signal.removeEventListener("abort", onAbort);
        transport.close();
      }
      if (Object.keys(outcome.delivered).length) {
        // The mail is out; a Sent-copy failure is reported, never turned into a resend.
        try {
          await appendSentCopy(account, options.secretKey, delivery.raw, delivery.messageIdHeader, timeoutMs);
        } catch (err) {
          const e = explainConnectError(err, "IMAP", account.imapHost, account.imapPort);
          options.log?.(`connector ${account.id}: Sent copy not stored: ${e.message}`);
          await recordConnectorError(options.ctx, account.id, errorRecord(e, "sentCopy")).catch(() => {});
        }
      }
      return outcome;
    },
  };
}
