/** Tunables of the connector workers; defaults fit production, tests shorten the times. */
export interface ConnectorConfig {
  /** 32-byte key (MADOGUCHI_SECRET_KEY) that seals the stored passwords. */
  secretKey: Buffer;
  /** Messages fetched and stored per checkpoint. */
  batchSize: number;
  /** How often folders other than INBOX are checked (INBOX also, as a safety net behind IDLE). */
  pollMs: number;
  /**
   * Safety net of \Seen mirroring (when the account has it on): a read, in the web app or over
   * IMAP, writes a change and wakes the mirror at once through the change feed; this poll only
   * catches what a lost notification (LISTEN reconnecting) or switching mirroring on leaves.
   */
  seenPollMs: number;
  /** IDLE is restarted before servers drop it (RFC 3501 allows them to after 30 minutes). */
  maxIdleMs: number;
  /** Reconnect backoff: first delay, doubled per failure up to the maximum. */
  backoffMinMs: number;
  backoffMaxMs: number;
  /** Account lease: renewed every third of it; a crashed process's accounts move after it expires. */
  leaseMs: number;
  /** How often new or freed accounts are looked for. */
  scanMs: number;
  /** Connect/greeting timeout towards the provider. */
  connectTimeoutMs: number;
}

export const DEFAULT_CONNECTOR_CONFIG: Omit<ConnectorConfig, "secretKey"> = {
  batchSize: 200,
  pollMs: 60_000,
  seenPollMs: 30_000,
  maxIdleMs: 25 * 60_000,
  backoffMinMs: 2_000,
  backoffMaxMs: 5 * 60_000,
  leaseMs: 60_000,
  scanMs: 15_000,
  connectTimeoutMs: 20_000,
};

export function connectorConfig(partial: Partial<ConnectorConfig> & { secretKey: Buffer }): ConnectorConfig {
  return { ...DEFAULT_CONNECTOR_CONFIG, ...partial };
}
