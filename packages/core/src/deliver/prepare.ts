import type { BlobStore } from "@madoguchi/mail/blob-store";
import { type ParsedMessage, parseMessage } from "@madoguchi/mail/parse";

/** A message's bytes stored and read: what a delivery needs before its transaction. */
export interface PreparedContent {
  blob: { hash: string; size: number };
  parsed: ParsedMessage | null;
  parseError: string | null;
  /**
   * Set while the blob's fsync is still under way (BlobStore.write): the transaction that stores
   * the message is sent meanwhile, and commits only once this resolves (rolls back if it fails).
   */
  synced?: Promise<void>;
}

/**
 * Stores the blob (fsynced) while the message is parsed: the fsync waits on the disk and parsing
 * on the CPU, so one overlaps the other. Needs no database, so it also runs in the SMTP
 * listener's worker threads (a subpath of its own keeps that import small).
 */
export async function prepareContent(blobs: BlobStore, raw: Buffer): Promise<PreparedContent> {
  const [blob, digest] = await Promise.all([blobs.put(raw), parseContent(raw)]);
  return { blob, ...digest };
}

/** The parsed message, or why it could not be parsed (such mail is kept raw). */
export async function parseContent(raw: Buffer): Promise<Omit<PreparedContent, "blob">> {
  try {
    return { parsed: await parseMessage(raw), parseError: null };
  } catch (err) {
    return { parsed: null, parseError: err instanceof Error ? err.message : String(err) };
  }
}
