import { type CoreContext, deliverPrepared, expectDelivery, isPostmasterAddress } from "@madoguchi/core";
import type { SMTPServer, SMTPServerAddress, SMTPServerSession } from "smtp-server";
import type { TlsMaterial } from "./config";
import { readMessage } from "./data-stream";
import type { Dnsbl, DnsblSettings, Listing } from "./dnsbl";
import type { IngestRequest, IngestResult } from "./ingest/ingest";
import type { InboundLimits } from "./limits";
import type { LocalRecipients } from "./recipients";
import { smtpReply, tempFailure } from "./replies";
import { BadCommands, createServer, type PeerLimits } from "./server-base";

export interface InboundDeps {
  ctx: CoreContext;
  recipients: LocalRecipients;
  hostname: string;
  tls: TlsMaterial;
  /** Verify, stamp, store and parse: ingest(), in the worker threads or in this one. */
  ingest(request: IngestRequest): Promise<IngestResult>;
  limits: InboundLimits;
  peers: PeerLimits;
  /** DNS blocklists the client's address is looked up in, and what a listing does; null: none. */
  dnsbl: { lists: Dnsbl; action: DnsblSettings["action"] } | null;
  /** Failures that turned into 451 (database or disk trouble, bugs): for the operator's log. */
  onError(err: unknown): void;
}

/**
 * The inbox each accepted RCPT TO resolved to, keyed by the address object smtp-server keeps in
 * the envelope: DATA stores into these without asking the database again.
 */
const inboxOfRecipient = new WeakMap<SMTPServerAddress, number>();

/** The MX listener: accepts mail for our inboxes and answers 250 only once it is stored. */
export function createInboundServer(deps: InboundDeps): SMTPServer {
  const { limits, peers, dnsbl } = deps;
  const bad = new BadCommands(limits.maxBadCommands);
  // Per session: its address looked up in the blocklists, started at connect so that the answer
  // is in by RCPT TO (the greeting delay covers it).
  const listings = new Map<string, Promise<Listing | null>>();
  const listingOf = (session: SMTPServerSession) => listings.get(session.id) ?? Promise.resolve(null);
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
      if (dnsbl) listings.set(session.id, dnsbl.lists.check(session.remoteAddress));
      // smtp-server answers anything sent before the greeting with 421 (early talker).
      if (limits.greetingDelayMs > 0) setTimeout(() => callback(), limits.greetingDelayMs);
      else callback();
    },
    onClose(session) {
      peers.release(session);
      bad.forget(session);
      listings.delete(session.id);
    },
    onMailFrom(_address, session, callback) {
      if (!peers.allowMessage(session.remoteAddress))
        return callback(smtpReply(451, "4.7.1", "Too many messages from your address, try again later"));
      callback();
    },
    onRcptTo(address, session, callback) {
      Promise.all([deps.recipients.resolve(address.address), listingOf(session)]).then(
        ([r, listing]) => {
          if ("refuse" in r) return callback(bad.refuse(session, r.refuse));
          // Postmaster stays reachable: a listed sender may be writing to ask why.
          if (listing && dnsbl?.action === "reject" && !isPostmasterAddress(address.address))
            return callback(bad.refuse(session, blocked(session.remoteAddress, listing)));
          inboxOfRecipient.set(address, r.inboxId);
          callback();
        },
        () => callback(tempFailure()),
      );
    },
    onData(stream, session, callback) {
      readMessage(stream, limits.maxMessageBytes)
        .then(async (raw) =>
          raw
            ? storeInbound(
                deps,
                session,
                raw,
                dnsbl?.action === "quarantine" ? await listingOf(session) : null,
              )
            : smtpReply(552, "5.3.4", "Message too big"),
        )
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

/** Postfix's wording, which senders' bounces and their postmasters know. */
const blocked = (ip: string, listing: Listing) =>
  smtpReply(
    554,
    "5.7.1",
    `Service unavailable; client host [${ip}] blocked using ${listing.zone}${listing.reason ? `; ${listing.reason}` : ""}`,
  );

/**
 * Verifies, stamps and stores one message for every recipient inbox; resolves with the 250 text
 * or a refusal. `listing`: the client is on a blocklist whose action is quarantine (into Junk).
 */
async function storeInbound(
  deps: InboundDeps,
  session: SMTPServerSession,
  raw: Buffer,
  listing: Listing | null,
): Promise<string | Error> {
  const recipients = session.envelope.rcptTo.map((r: SMTPServerAddress) => r.address);
  const byInbox = new Map<number, string[]>();
  for (const rcpt of session.envelope.rcptTo) {
    const inboxId = inboxOfRecipient.get(rcpt);
    if (inboxId === undefined) throw new Error(`RCPT TO ${rcpt.address} was accepted without an inbox`);
    byInbox.set(inboxId, [...(byInbox.get(inboxId) ?? []), rcpt.address]);
  }
  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
  // Announced while it is verified and parsed, so a transaction for the inbox waits a moment to
  // take it along (group commit); each announcement is withdrawn once, on delivery or failure.
  const announced = new Map([...byInbox.keys()].map((id) => [id, expectDelivery(deps.ctx, id)]));
  try {
    const ingested = await deps.ingest({
      raw,
      ip: session.remoteAddress,
      helo: session.hostNameAppearsAs,
      sender,
      sessionId: session.id,
      protocol: session.transmissionType,
      recipient: recipients.length === 1 ? recipients[0] : undefined,
      now: Date.now(),
      blocklisted: listing ?? undefined,
    });
    if (ingested.dmarcRejected)
      return smtpReply(550, "5.7.1", "Rejected by the DMARC policy of the sender's domain (p=reject)");
    // The 250 waits for every inbox's commit. If one fails the sender retries the whole message,
    // and an inbox that already stored it may get a second copy: better than losing one.
    // An inbox removed since RCPT fails its delivery: 451, and the retry is refused at RCPT.
    for (const [inboxId, addresses] of byInbox) {
      await deliverPrepared(
        deps.ctx,
        inboxId,
        ingested.content,
        {
          mailFrom: sender || null,
          rcptTo: addresses,
          remoteAddress: session.remoteAddress,
          authResults: { ...ingested.verdict },
          mailbox: ingested.mailbox,
        },
        announced.get(inboxId),
      );
    }
  } finally {
    for (const withdraw of announced.values()) withdraw();
  }
  return `Ok: stored for ${byInbox.size} inbox${byInbox.size === 1 ? "" : "es"}`;
}
