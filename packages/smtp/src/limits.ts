// Abuse and resource limits of the SMTP listeners. Each is a default that SmtpSettings.limits
// can override (tests and the bench do); production values follow common MTA practice.

/** Largest message accepted, advertised with SIZE; bigger → 552 5.3.4. */
export const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
/** Recipients per transaction; more → 452 4.5.3 (RFC 5321 requires accepting at least 100). */
export const MAX_RECIPIENTS = 100;
/** Simultaneous connections from one IP address; more → 421. */
export const MAX_CONNECTIONS_PER_IP = 20;
/** Simultaneous connections per listener. */
export const MAX_CLIENTS = 1000;
/** Messages accepted from one IP address per minute; more → 451 4.7.1 (try later). */
export const MAX_MESSAGES_PER_IP_PER_MINUTE = 300;
/** Unrecognized or failed commands in one session before 421 and disconnect. */
export const MAX_BAD_COMMANDS = 10;
/** Commands before AUTH on submission before 421. */
export const MAX_UNAUTHENTICATED_COMMANDS = 10;
/** The MX greeting waits this long; a client talking before it is an early talker (421). */
export const GREETING_DELAY_MS = 1000;
/** Idle time before the server hangs up (RFC 5321 §4.5.3.2 suggests 5 minutes). */
export const SOCKET_TIMEOUT_MS = 5 * 60 * 1000;
/** Time given to open sessions when a listener closes. */
export const CLOSE_TIMEOUT_MS = 5000;

export interface InboundLimits {
  maxMessageBytes: number;
  maxRecipients: number;
  maxConnectionsPerIp: number;
  maxClients: number;
  maxMessagesPerIpPerMinute: number;
  maxBadCommands: number;
  maxUnauthenticatedCommands: number;
  greetingDelayMs: number;
  socketTimeoutMs: number;
  closeTimeoutMs: number;
}

export const DEFAULT_LIMITS: InboundLimits = {
  maxMessageBytes: MAX_MESSAGE_BYTES,
  maxRecipients: MAX_RECIPIENTS,
  maxConnectionsPerIp: MAX_CONNECTIONS_PER_IP,
  maxClients: MAX_CLIENTS,
  maxMessagesPerIpPerMinute: MAX_MESSAGES_PER_IP_PER_MINUTE,
  maxBadCommands: MAX_BAD_COMMANDS,
  maxUnauthenticatedCommands: MAX_UNAUTHENTICATED_COMMANDS,
  greetingDelayMs: GREETING_DELAY_MS,
  socketTimeoutMs: SOCKET_TIMEOUT_MS,
  closeTimeoutMs: CLOSE_TIMEOUT_MS,
};

// Outbound delivery.

/** Production SMTP port of other domains' MX hosts. */
export const OUTBOUND_PORT = 25;
/** Deliveries in flight per process. */
export const OUTBOUND_CONCURRENCY = 8;
/** How long a claimed delivery stays a worker's; must exceed the longest attempt below. */
export const DELIVERY_LEASE_MS = 15 * 60 * 1000;
/** Per remote host: TCP connect, greeting, and idle socket time. */
export const CONNECT_TIMEOUT_MS = 30_000;
export const GREETING_TIMEOUT_MS = 60_000;
export const REMOTE_SOCKET_TIMEOUT_MS = 5 * 60 * 1000;
/** MX hosts tried per delivery attempt, and addresses per host. */
export const MAX_MX_HOSTS = 5;
export const MAX_ADDRESSES_PER_HOST = 2;
/** The queue is polled this often even without a nudge (other processes enqueue too). */
export const QUEUE_POLL_MS = 5000;
/** On shutdown, deliveries in flight get this long before they are abandoned to their lease. */
export const STOP_GRACE_MS = 10_000;
/** One delivery attempt (all hosts together) is abandoned after this; stays under the lease. */
export const ATTEMPT_DEADLINE_MS = 10 * 60 * 1000;
