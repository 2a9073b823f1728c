import { sendDueAutoReplies } from "@madoguchi/core";
import type { ApiRuntime } from "./deps";
import { runEvery } from "./periodic";

/** How often the server sends the 自動返信 new inquiries are due: they leave at most this late. */
export const AUTO_REPLY_TICK_MS = 2_000;

/**
 * Sends the due 自動返信 every `everyMs` (core sendDueAutoReplies), DKIM-signed as every web
 * send is, and wakes the delivery workers when one was queued. Every server process runs one.
 */
export function startAutoReplier(
  runtime: ApiRuntime,
  onError: (err: unknown) => void,
  everyMs = AUTO_REPLY_TICK_MS,
) {
  const { deps } = runtime;
  return runEvery(
    everyMs,
    async () => {
      const queued = await sendDueAutoReplies(deps.ctx, {
        hostname: deps.hostname,
        sign: deps.signOutbound,
        onError,
      });
      if (queued) deps.onQueued?.();
    },
    onError,
  );
}
