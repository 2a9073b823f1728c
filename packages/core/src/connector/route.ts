import type { DeliveryOutcome } from "../outbound/queue";

/** One queued delivery, as the outbound queue worker holds it. */
export interface ConnectorDelivery {
  inboxId: number;
  messageIdHeader: string;
  domain: string;
  envelope: { from: string; to: string[] };
  raw: Buffer;
  signal: AbortSignal;
}

/**
 * Outbound route for inboxes connected to an external provider: their mail leaves through the
 * provider's SMTP server (and is copied to its Sent folder), not through our MX delivery.
 * `attempt` resolves null for an inbox without a connector: the worker then routes natively.
 * Implemented in packages/sync; the queue worker only knows this type.
 */
export interface ConnectorRoute {
  attempt(delivery: ConnectorDelivery): Promise<DeliveryOutcome | null>;
}
