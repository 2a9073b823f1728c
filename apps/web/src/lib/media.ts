import { useSyncExternalStore } from "react";

/** Two panes (list beside conversation) from this width; one pane below it (phones). */
const WIDE = "(min-width: 960px)";

export function useWide(): boolean {
  return useSyncExternalStore(
    (cb) => {
      const mq = window.matchMedia(WIDE);
      mq.addEventListener("change", cb);
      return () => mq.removeEventListener("change", cb);
    },
    () => window.matchMedia(WIDE).matches,
    () => false,
  );
}
