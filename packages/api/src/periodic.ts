/**
 * Runs `pass` every `everyMs` until closed, never two at once (the next waits for the one before
 * to end); errors go to onError and the next pass runs all the same. The timer does not keep the
 * process alive.
 */
export function runEvery(everyMs: number, pass: () => Promise<void>, onError: (err: unknown) => void) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass().catch(onError).then(schedule);
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
