import { type ParsedMessage, parseMessage } from "@madoguchi/mail/parse";
import { type CoreContext, nowOf } from "../context";
import { AppError } from "../errors";
import { commitDelivery } from "./group-commit";
import type { DeliverResult, Envelope, PreparedDelivery } from "./types";

export { messageFields, PARSE_ERROR_KEYWORD } from "./message-fields";
export type { DeliverResult, Envelope } from "./types";

interface Digest {
  parsed: ParsedMessage | null;
  parseError: string | null;
}

async function digest(raw: Buffer): Promise<Digest> {
  try {
    return { parsed: await parseMessage(raw), parseError: null };
  } catch (err) {
    return { parsed: null, parseError: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Takes a message into an inbox: blob stored and fsynced while the message is parsed → one
 * transaction (message row, conversation created or updated, change-log entries), shared with
 * the deliveries to the same inbox that arrive meanwhile (group-commit.ts) → resolves only after
 * commit, so a caller that answers "250"/"OK" after it never loses mail. The same message (same
 * Message-ID and bytes) delivered twice to an inbox is stored once.
 * Unparseable mail is kept raw in the folder, flagged with PARSE_ERROR_KEYWORD and without a
 * conversation, for an admin to reprocess.
 */
export async function deliver(
  ctx: CoreContext,
  inboxId: number,
  raw: Buffer,
  envelope: Envelope = {},
): Promise<DeliverResult> {
  return commitDelivery(ctx.db, inboxId, await prepareDelivery(ctx, raw, envelope));
}

/** Everything before the transaction: the blob stored and fsynced, the message parsed. */
export async function prepareDelivery(
  ctx: CoreContext,
  raw: Buffer,
  envelope: Envelope = {},
): Promise<PreparedDelivery> {
  if (raw.length === 0) throw new AppError("INVALID_INPUT", "Empty message");
  const now = nowOf(ctx);
  // The fsync waits on the disk and parsing on the CPU: one overlaps the other.
  const [blob, { parsed, parseError }] = await Promise.all([ctx.blobs.put(raw), digest(raw)]);
  return { blob, parsed, parseError, envelope, direction: envelope.direction ?? "inbound", now };
}
