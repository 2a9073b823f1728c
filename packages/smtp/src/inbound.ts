import { type CoreContext, deliver, findDomain, findInboxByAddress, type Inbox } from "@madoguchi/core";
import type { SMTPServer, SMTPServerAddress, SMTPServerSession } from "smtp-server";
import { type AuthCheck, checkAuthentication, withoutForgedAuthResults } from "./auth-results";
import type { DmarcRejectAction, TlsMaterial } from "./config";
import { readMessage } from "./data-stream";
import type { InboundLimits } from "./limits";
import { smtpReply, tempFailure } from "./replies";
import type { DnsResolver } from "./resolver";
import { BadCommands, createServer, type PeerLimits } from "./server-base";
import { receivedHeader } from "./trace-headers";

export interface InboundDeps {
  ctx: CoreContext;
  hostname: string;
  tls: TlsMaterial;
  resolver: DnsResolver;
  limits: InboundLimits;
  peers: PeerLimits;
  /** Failures that turned into 451 (database or disk trouble, bugs): for the operator's log. */
  onError(err: unknown): void;
  dmarcRejectAction: DmarcRejectAction;
}

type Recipient = { inbox: Inbox } | { refuse: Error };

/** RCPT TO on the MX: only addresses of inboxes here; any other domain is relaying, denied. */
export async function resolveRecipient(ctx: CoreContext, address: string): Promise<Recipient> {
  const at = address.lastIndexOf("@");
  const domain = address.slice(at + 1).toLowerCase();
  if (at < 1 || !(await findDomain(ctx.db, domain)))
    return {
      refuse: smtpReply(550, "5.7.1", `Relaying denied: ${domain || "that domain"} is not served here`),
    };
  const inbox = await findInboxByAddress(ctx.db, address);
  if (!inbox) return { refuse: smtpReply(550, "5.1.1", `No such recipient here: ${address}`) };
  return { inbox };
}

/** The MX listener: accepts mail for our inboxes and answers 250 only once it is stored. */
export function createInboundServer(deps: InboundDeps): SMTPServer {
  const { ctx, limits, peers } = deps;
  const bad = new BadCommands(limits.maxBadCommands);
  return createServer({
    name: deps.hostname,
    banner: "Madoguchi ESMTP",
    key: deps.tls.key,
    cert: deps.tls.cert,
    size: limits.maxMessageBytes,
    maxRecipients: limits.maxRecipients,
    maxClients: limits.maxClients,
    socketTimeout: limits.socketTimeoutMs,
    closeTimeout: limits.closeTimeoutMs,
    authOptional: true,
    disabledCommands: ["AUTH"],
    onConnect(session, callback) {
      const refused = peers.admit(session);
      if (refused) return callback(refused);
      // smtp-server answers anything sent before the greeting with 421 (early talker).
      if (limits.greetingDelayMs > 0) setTimeout(() => callback(), limits.greetingDelayMs);
      else callback();
    },
    onClose(session) {
      peers.release(session);
      bad.forget(session);
    },
    onMailFrom(_address, session, callback) {
      if (!peers.allowMessage(session.remoteAddress))
        return callback(smtpReply(451, "4.7.1", "Too many messages from your address, try again later"));
      callback();
    },
    onRcptTo(address, session, callback) {
      resolveRecipient(ctx, address.address).then(
        (r) => callback("refuse" in r ? bad.refuse(session, r.refuse) : undefined),
        () => callback(tempFailure()),
      );
    },
    onData(stream, session, callback) {
      readMessage(stream, limits.maxMessageBytes)
        .then((raw) => (raw ? storeInbound(deps, session, raw) : smtpReply(552, "5.3.4", "Message too big")))
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

/** Verifies, stamps and stores one message for every recipient inbox; resolves with the 250 text or a refusal. */
async function storeInbound(
  deps: InboundDeps,
  session: SMTPServerSession,
  raw: Buffer,
): Promise<string | Error> {
  const { ctx } = deps;
  const recipients = session.envelope.rcptTo.map((r: SMTPServerAddress) => r.address);
  const byInbox = new Map<number, { inbox: Inbox; addresses: string[] }>();
  for (const address of recipients) {
    const r = await resolveRecipient(ctx, address);
    // An inbox deleted between RCPT and DATA: the others still get the message.
    if (!("inbox" in r)) continue;
    const entry = byInbox.get(r.inbox.id) ?? { inbox: r.inbox, addresses: [] };
    entry.addresses.push(address);
    byInbox.set(r.inbox.id, entry);
  }
  if (!byInbox.size) return smtpReply(550, "5.1.1", "None of the recipients exists any more");
  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
  const auth = await authenticateOrNote(deps, session, raw, sender);
  if (auth.dmarcReject && deps.dmarcRejectAction === "reject") {
    return smtpReply(550, "5.7.1", "Rejected by the DMARC policy of the sender's domain (p=reject)");
  }
  const mailbox = auth.dmarcReject ? "Junk" : "INBOX";
  const now = new Date();
  const trace = `Return-Path: <${sender}>\r\n${receivedHeader({
    helo: session.hostNameAppearsAs,
    ip: session.remoteAddress,
    by: deps.hostname,
    protocol: session.transmissionType,
    id: session.id,
    recipient: recipients.length === 1 ? recipients[0] : undefined,
    date: now,
  })}${auth.headers}`;
  // Verified as sent (a signature may cover them), stored without A-R fields forged in our name.
  const stamped = Buffer.concat([Buffer.from(trace), withoutForgedAuthResults(raw, deps.hostname)]);
  // The 250 waits for every inbox's commit. If one fails the sender retries the whole message,
  // and an inbox that already stored it may get a second copy: better than losing one.
  for (const { inbox, addresses } of byInbox.values()) {
    await deliver(ctx, inbox.id, stamped, {
      mailFrom: sender || null,
      rcptTo: addresses,
      remoteAddress: session.remoteAddress,
      authResults: { ...auth.verdict },
      mailbox,
    });
  }
  return `Ok: stored for ${byInbox.size} inbox${byInbox.size === 1 ? "" : "es"}`;
}

/** SPF/DKIM/DMARC; an error in the check itself is noted in the header, never a reason to lose mail. */
async function authenticateOrNote(
  deps: InboundDeps,
  session: SMTPServerSession,
  raw: Buffer,
  sender: string,
): Promise<AuthCheck> {
  try {
    return await checkAuthentication(raw, {
      ip: session.remoteAddress,
      helo: session.hostNameAppearsAs,
      sender,
      mta: deps.hostname,
      resolver: deps.resolver,
    });
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/[\r\n()]/g, " ").slice(0, 100);
    const header = `${deps.hostname}; none (verification error: ${reason})`;
    return {
      verdict: {
        spf: "none",
        dkim: "none",
        dkimPassDomains: [],
        dmarc: "none",
        dmarcPolicy: null,
        arc: "none",
        header,
      },
      headers: `Authentication-Results: ${header}\r\n`,
      dmarcReject: false,
    };
  }
}
