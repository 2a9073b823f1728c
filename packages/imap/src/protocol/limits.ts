/** Abuse limits, named so they can be found and tuned in one place. */

/** Longest command line (outside literals) we buffer; longer lines are discarded and answered BAD [TOOBIG]. */
export const MAX_LINE_BYTES = 64 * 1024;
/** APPENDLIMIT: the largest literal (and so the largest message) accepted. */
export const APPEND_LIMIT = 50 * 1024 * 1024;
/** Largest whole command (lines plus literals); bounds memory per connection. */
export const MAX_COMMAND_BYTES = APPEND_LIMIT + 1024 * 1024;
/** Invalid commands tolerated before the server says BYE. */
export const MAX_BAD_COMMANDS = 20;
/** RFC 3501 §5.4: at least 30 minutes of inactivity before an autologout. */
export const AUTOLOGOUT_MS = 30 * 60 * 1000;
/** RFC 2177: clients re-issue IDLE every 29 minutes; an IDLE session may stay quiet longer. */
export const IDLE_AUTOLOGOUT_MS = 60 * 60 * 1000;
/** Before login there is less to lose by hanging up sooner. */
export const PREAUTH_TIMEOUT_MS = 5 * 60 * 1000;
/** Commands received but not yet run; past this the socket is paused (pipelining stays bounded). */
export const MAX_QUEUED_COMMANDS = 32;
/** Message metadata is read from core in batches of this many UIDs (FETCH, STORE). */
export const FETCH_BATCH = 500;
/** Bodies up to this size are read whole from the blob store; larger sections are streamed. */
export const STREAM_THRESHOLD = 256 * 1024;
