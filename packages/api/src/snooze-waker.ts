import { wakeDueSnoozes } from "@madoguchi/core";
import type { ApiRuntime } from "./deps";
import { runEvery } from "./periodic";
import { pushNotifications } from "./view/notification";

/** How often the server looks for スヌーズ whose time has come: they end at most this late. */
export const SNOOZE_TICK_MS = 5_000;

/**
 * Ends due スヌーズ every `everyMs` (core wakeDueSnoozes: 未対応 again, logged) and pushes the
 * notifications to the browsers of who snoozed them and of their assignees. Every server process
 * runs one; a conversation is woken once whichever gets to it.
 */
export function startSnoozeWaker(
  runtime: ApiRuntime,
  onError: (err: unknown) => void,
  everyMs = SNOOZE_TICK_MS,
) {
  return runEvery(
    everyMs,
    async () => pushNotifications(runtime.events, await wakeDueSnoozes(runtime.deps.ctx)),
    onError,
  );
}
