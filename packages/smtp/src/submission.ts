import {
  type CoreContext,
  inboxForSender,
  isAppError,
  login,
  type PublicUser,
  submitMessage,
} from "@madoguchi/core";
import { parseMessage } from "@madoguchi/mail/parse";
import type { SMTPServer, SMTPServerSession } from "smtp-server";
import type { TlsMaterial } from "./config";
import { readMessage } from "./data-stream";
import { signOutbound } from "./dkim";
import type { InboundLimits } from "./limits";
import { prepareSubmitted } from "./prepare";
import type { LocalRecipients } from "./recipients";
import { smtpReply, tempFailure } from "./replies";
import { BadCommands, createServer, type PeerLimits } from "./server-base";

export interface SubmissionDeps {
  ctx: CoreContext;
  recipients: LocalRecipients;
  hostname: string;
  tls: TlsMaterial;
  limits: InboundLimits;
  peers: PeerLimits;
  /** Failures that turned into 451 (database or disk trouble, bugs): for the operator's log. */
  onError(err: unknown): void;
  /** Called after a message was queued, so a delivery worker picks it up at once. */
  onQueued(): void;
}

const userOf = (session: SMTPServerSession) => (session as { user?: unknown }).user as PublicUser;

const notAllowed = (user: PublicUser, address: string) =>
  smtpReply(553, "5.7.1", `${user.email} may not send as ${address || "<>"}`);

/**
 * The submission listener (587 with STARTTLS, or 465 with implicit TLS): AUTH PLAIN/LOGIN over
 * TLS only, send-as checked on the envelope and the From header, the reply guard applied, then
 * the message is stored in Sent and queued.
 */
export function createSubmissionServer(deps: SubmissionDeps, implicitTls: boolean): SMTPServer {
  const { ctx, limits, peers } = deps;
  const bad = new BadCommands(limits.maxBadCommands);
  return createServer({
    name: deps.hostname,
    banner: "Madoguchi ESMTP submission",
    key: deps.tls.key,
    cert: deps.tls.cert,
    secure: implicitTls,
    size: limits.maxMessageBytes,
    maxRecipients: limits.maxRecipients,
    maxClients: limits.maxClients,
    socketTimeout: limits.socketTimeoutMs,
    closeTimeout: limits.closeTimeoutMs,
    authMethods: ["PLAIN", "LOGIN"],
    authOptional: false,
    // AUTH before STARTTLS is answered 538 5.7.11: passwords never cross the wire in clear.
    allowInsecureAuth: false,
    maxAllowedUnauthenticatedCommands: limits.maxUnauthenticatedCommands,
    authRequiredMessage: "5.7.0 Authentication required",
    onConnect(session, callback) {
      callback(peers.admit(session) ?? undefined);
    },
    onClose(session) {
      peers.release(session);
      bad.forget(session);
    },
    onAuth(auth, session, callback) {
      login(ctx, {
        email: auth.username ?? "",
        password: auth.password ?? "",
        remoteAddress: session.remoteAddress,
        protocol: "smtp",
      }).then(
        (result) => {
          if (result.ok) return callback(null, { user: result.user });
          if (result.reason === "locked")
            return callback(
              smtpReply(
                454,
                "4.7.0",
                `Too many failed logins from your address; try again in ${result.retryAfterSeconds} s`,
              ),
            );
          callback(smtpReply(535, "5.7.8", "Authentication credentials invalid"));
        },
        () => callback(tempFailure()),
      );
    },
    onMailFrom(address, session, callback) {
      const user = userOf(session);
      inboxForSender(ctx.db, user.id, address.address).then(
        (inbox) => callback(inbox ? undefined : bad.refuse(session, notAllowed(user, address.address))),
        () => callback(tempFailure()),
      );
    },
    onRcptTo(address, session, callback) {
      checkSubmissionRecipient(deps.recipients, address.address).then(
        (refusal) => callback(refusal ? bad.refuse(session, refusal) : undefined),
        () => callback(tempFailure()),
      );
    },
    onData(stream, session, callback) {
      readMessage(stream, limits.maxMessageBytes)
        .then((raw) => (raw ? submit(deps, session, raw) : smtpReply(552, "5.3.4", "Message too big")))
        .then(
          (result) => (result instanceof Error ? callback(result) : callback(null, result)),
          (err) => {
            deps.onError(err);
            callback(tempFailure());
          },
        );
    },
  });
}

/** Any remote address is fine once authenticated; a local one must exist. */
async function checkSubmissionRecipient(recipients: LocalRecipients, address: string): Promise<Error | null> {
  const r = await recipients.resolve(address);
  return "refuse" in r && !r.foreign ? r.refuse : null;
}

async function submit(
  deps: SubmissionDeps,
  session: SMTPServerSession,
  raw: Buffer,
): Promise<string | Error> {
  const { ctx } = deps;
  const user = userOf(session);
  const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
  const parsed = await parseMessage(raw);
  const from = parsed.from?.address ?? "";
  const inbox = from ? await inboxForSender(ctx.db, user.id, from) : undefined;
  if (!inbox) return notAllowed(user, from);
  const prepared = prepareSubmitted(raw, deps.hostname, new Date());
  const signed = await signOutbound(ctx, prepared.raw, from.slice(from.lastIndexOf("@") + 1).toLowerCase());
  try {
    const result = await submitMessage(ctx, {
      userId: user.id,
      inboxId: inbox.id,
      raw: signed,
      mailFrom,
      recipients: session.envelope.rcptTo.map((r) => r.address),
    });
    if (!result.accepted) {
      return smtpReply(550, "5.7.1", `${result.text}. Your message was not sent; it is kept as a draft.`);
    }
    deps.onQueued();
    return `Ok: queued as <${prepared.messageId}>`;
  } catch (err) {
    if (isAppError(err, "NOT_FOUND")) return smtpReply(550, "5.1.1", err.message);
    // Temporary: the client keeps the message (Outlook's Outbox) and may send it later.
    if (isAppError(err, "SEND_LIMIT")) return smtpReply(450, "4.7.1", err.message);
    throw err;
  }
}
