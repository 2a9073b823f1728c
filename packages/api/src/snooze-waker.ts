import { wakeDueSnoozes } from "@madoguchi/core";
import type { ApiRuntime } from "./deps";
import { pushNotifications } from "./view/notification";

/** How often the server looks for スヌーズ whose time has come: they end at most this late. */
export const SNOOZE_TICK_MS = 5_000;

/**
 * Ends due スヌーズ every `everyMs` (core wakeDueSnoozes: 未対応 again, logged) and pushes the
 * notifications to the browsers of who snoozed them and of their assignees. Every server process
 * runs one; a conversation is woken once whichever gets to it. Passes never overlap.
 */
export function startSnoozeWaker(
  runtime: ApiRuntime,
  onError: (err: unknown) => void,
  everyMs = SNOOZE_TICK_MS,
) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const pass = async () => {
    try {
      pushNotifications(runtime.events, await wakeDueSnoozes(runtime.deps.ctx));
    } catch (err) {
      onError(err);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass().then(schedule);
    }, everyMs);
    timer.unref();
  };
  schedule();
  return {
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
