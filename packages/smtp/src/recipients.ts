import { type CoreContext, lookupLocalAddress } from "@madoguchi/core";
import { smtpReply } from "./replies";

/**
 * How long a found address is remembered. Only finds are kept: a new inbox must take mail at
 * once (a remembered "no such user" would bounce it). An inbox removed meanwhile costs at most
 * this long of deliveries that fail with 451 and are retried, to be refused at RCPT then.
 */
export const RECIPIENT_CACHE_MS = 10_000;
/** Addresses remembered at most; past it the memory starts over. */
const RECIPIENT_CACHE_SIZE = 10_000;

/** A local inbox, a local address without one, or another domain (relaying, for the MX). */
export type Recipient = { inboxId: number } | { refuse: Error; foreign: boolean };

/**
 * RCPT TO lookups for the MX and submission: one query per address, the finds remembered for a
 * few seconds, since a busy MX asks about the same few addresses many times a second.
 */
export class LocalRecipients {
  private readonly found = new Map<string, { inboxId: number; until: number }>();

  constructor(
    private readonly ctx: CoreContext,
    private readonly ttlMs = RECIPIENT_CACHE_MS,
  ) {}

  async resolve(address: string): Promise<Recipient> {
    const key = address.trim().toLowerCase();
    const now = Date.now();
    const hit = this.found.get(key);
    if (hit && hit.until > now) return { inboxId: hit.inboxId };
    const { domainServed, inboxId } = await lookupLocalAddress(this.ctx.db, key);
    if (!domainServed) {
      const domain = key.slice(key.lastIndexOf("@") + 1);
      return {
        refuse: smtpReply(550, "5.7.1", `Relaying denied: ${domain || "that domain"} is not served here`),
        foreign: true,
      };
    }
    if (inboxId === null)
      return { refuse: smtpReply(550, "5.1.1", `No such recipient here: ${address}`), foreign: false };
    if (this.found.size >= RECIPIENT_CACHE_SIZE) this.found.clear();
    this.found.set(key, { inboxId, until: now + this.ttlMs });
    return { inboxId };
  }
}
