import { type PreparedContent, parseContent } from "@madoguchi/core/deliver/prepare";
import type { BlobStore } from "@madoguchi/mail/blob-store";
import {
  type AuthCheck,
  type AuthVerdict,
  checkAuthentication,
  withoutForgedAuthResults,
} from "../auth-results";
import type { DmarcRejectAction } from "../config";
import type { Listing } from "../dnsbl";
import { createResolver, type DnsResolver, withAnswerCache } from "../resolver";
import { receivedHeader } from "../trace-headers";

/** One message off the MX, with what its session knows: plain data, so it crosses to a worker. */
export interface IngestRequest {
  raw: Uint8Array;
  ip: string;
  helo: string;
  /** MAIL FROM, "" for the null sender. */
  sender: string;
  sessionId: string;
  protocol: string;
  /** Named in the Received line only when it is the one recipient. */
  recipient?: string;
  now: number;
  /** The client is on a DNS blocklist set to quarantine: the message goes to Junk. */
  blocklisted?: Listing;
}

export type IngestResult =
  | { dmarcRejected: true }
  | { dmarcRejected: false; mailbox: "INBOX" | "Junk"; verdict: AuthVerdict; content: PreparedContent };

/** What ingesting needs besides the message: no database, so a worker thread has all of it. */
export interface IngestEnv {
  hostname: string;
  resolver: DnsResolver;
  blobs: BlobStore;
  dmarcRejectAction: DmarcRejectAction;
}

/** What an ingest environment is made from: plain data, so a worker thread can be given it. */
export interface IngestSettings {
  hostname: string;
  dnsServers?: string[];
  dmarcRejectAction: DmarcRejectAction;
}

/** The environment ingest() runs in, the same in a worker thread and on the listener's thread. */
export function ingestEnv(settings: IngestSettings, blobs: BlobStore): IngestEnv {
  return {
    hostname: settings.hostname,
    resolver: withAnswerCache(createResolver(settings.dnsServers)),
    blobs,
    dmarcRejectAction: settings.dmarcRejectAction,
  };
}

/**
 * Everything the MX does with a message before its transaction: SPF/DKIM/DMARC/ARC, the trace
 * and Authentication-Results headers, the blob written and the message parsed. The CPU part of
 * taking mail in; it runs in the ingest workers (ingest-pool.ts). It resolves without waiting
 * for the blob's fsyncs: they overlap the transaction, which waits for `content.synced` before
 * it commits (the 250 still comes after both).
 */
export async function ingest(req: IngestRequest, env: IngestEnv): Promise<IngestResult> {
  const raw = Buffer.from(req.raw.buffer, req.raw.byteOffset, req.raw.byteLength);
  // Parsed while it is verified: the trace and Authentication-Results fields stamped on below
  // are none of what a parsed message holds, and the blob's fsyncs wait only for the verdict.
  const parsing = parseContent(raw);
  const auth = await authenticateOrNote(req, raw, env);
  if (auth.dmarcReject && env.dmarcRejectAction === "reject") return { dmarcRejected: true };
  const trace = `Return-Path: <${req.sender}>\r\n${receivedHeader({
    helo: req.helo,
    ip: req.ip,
    by: env.hostname,
    protocol: req.protocol,
    id: req.sessionId,
    recipient: req.recipient,
    date: new Date(req.now),
  })}${auth.headers}`;
  // Verified as sent (a signature may cover them), stored without A-R fields forged in our name.
  const stamped = Buffer.concat([Buffer.from(trace), withoutForgedAuthResults(raw, env.hostname)]);
  const { hash, size, synced } = env.blobs.write(stamped);
  return {
    dmarcRejected: false,
    mailbox: auth.dmarcReject || req.blocklisted ? "Junk" : "INBOX",
    verdict: req.blocklisted ? { ...auth.verdict, dnsbl: req.blocklisted } : auth.verdict,
    content: { blob: { hash, size }, synced, ...(await parsing) },
  };
}

/** SPF/DKIM/DMARC; an error in the check itself is noted in the header, never a reason to lose mail. */
async function authenticateOrNote(req: IngestRequest, raw: Buffer, env: IngestEnv): Promise<AuthCheck> {
  try {
    return await checkAuthentication(raw, {
      ip: req.ip,
      helo: req.helo,
      sender: req.sender,
      mta: env.hostname,
      resolver: env.resolver,
    });
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/[\r\n()]/g, " ").slice(0, 100);
    const header = `${env.hostname}; none (verification error: ${reason})`;
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
