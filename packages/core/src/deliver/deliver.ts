import { type CoreContext, nowOf } from "../context";
import { AppError } from "../errors";
import { expectDelivery as announce, commitDelivery } from "./group-commit";
import { type PreparedContent, prepareContent } from "./prepare";
import type { DeliverResult, Envelope, PreparedDelivery } from "./types";

export { messageFields, PARSE_ERROR_KEYWORD, searchGramsOf } from "./message-fields";
export type { PreparedContent } from "./prepare";
export type { DeliverResult, Envelope } from "./types";

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
  return preparedWith(await prepareContent(ctx.blobs, raw), envelope, now);
}

/**
 * deliver() for content stored and parsed elsewhere (prepareContent, in a worker thread): the
 * blob durable already, as prepareContent leaves it, or its `synced` pending, which the
 * transaction waits for before it commits.
 */
export function deliverPrepared(
  ctx: CoreContext,
  inboxId: number,
  content: PreparedContent,
  envelope: Envelope,
  /** The withdrawal expectDelivery gave when this delivery was announced. */
  announced?: () => void,
): Promise<DeliverResult> {
  return commitDelivery(ctx.db, inboxId, preparedWith(content, envelope, nowOf(ctx)), announced);
}

/** See group-commit.ts: announces an MX message to the inbox while it is verified and parsed. */
export function expectDelivery(ctx: CoreContext, inboxId: number): () => void {
  return announce(ctx.db, inboxId);
}

function preparedWith(content: PreparedContent, envelope: Envelope, now: Date): PreparedDelivery {
  return { ...content, envelope, direction: envelope.direction ?? "inbound", now };
}
