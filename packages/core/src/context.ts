import type { Db } from "@madoguchi/db/client";
import type { BlobStore } from "@madoguchi/mail/blob-store";

/** What every domain function needs: the database and the raw-message store. */
export interface CoreContext {
  db: Db;
  blobs: BlobStore;
  /** Clock, replaceable in tests. */
  now?: () => Date;
  /**
   * Recipients outside this server one user may send to in an hour, web and submission alike;
   * 0: no limit. Unset: SEND_LIMIT_PER_HOUR (outbound/send-limit.ts).
   */
  sendLimitPerHour?: number;
}

export const nowOf = (ctx: CoreContext): Date => (ctx.now ? ctx.now() : new Date());
