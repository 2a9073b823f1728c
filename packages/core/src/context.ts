import type { Db } from "@madoguchi/db/client";
import type { BlobStore } from "@madoguchi/mail/blob-store";

/** What every domain function needs: the database and the raw-message store. */
export interface CoreContext {
  db: Db;
  blobs: BlobStore;
  /** Clock, replaceable in tests. */
  now?: () => Date;
}

export const nowOf = (ctx: CoreContext): Date => (ctx.now ? ctx.now() : new Date());
