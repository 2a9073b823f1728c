/**
 * Abuse limits of one POP3 connection. RFC 2449 caps command lines at 255 octets, but SASL
 * continuation lines carry base64 credentials, so lines get some headroom before the
 * connection is refused.
 */
export const MAX_LINE_LENGTH = 4096;
/** Unknown commands, commands in the wrong state and bad arguments in a row before the server hangs up. */
export const MAX_BAD_COMMANDS = 10;
/** Failed logins on one connection before it is closed (the per-address throttle is in core). */
export const MAX_AUTH_FAILURES = 3;
/** RFC 1939 §3: an autologout timer "MUST be of at least 10 minutes' duration". */
export const IDLE_TIMEOUT_MS = 10 * 60 * 1000;
/** Pipelined command lines waiting for their turn before the socket stops being read. */
export const MAX_QUEUED_LINES = 100;
/** Open connections per listener; beyond that new ones are told to come back later. */
export const MAX_CONNECTIONS = 1000;
/** Longest login name accepted (user, slash, shared address). */
export const MAX_LOGIN_NAME_LENGTH = 640;
