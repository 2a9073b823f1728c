import { useCallback, useEffect, useRef, useState } from "react";
import { type Inputs, trpc } from "../api/client";

type DraftContent = Inputs["draft"]["save"]["content"];
export type SaveState =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved"; at: Date }
  | { kind: "failed" };

const DEBOUNCE_MS = 1200;

export interface DraftAutosave {
  state: SaveState;
  /**
   * Ends saving, for 破棄: no save starts after it, and it resolves once the saves already sent
   * have been answered. Deleting the draft after that cannot be undone by a save still on its
   * way (the server could take the delete first, and the save would bring the draft back).
   */
  stop(): Promise<void>;
}

/**
 * Saves the draft to the server a moment after typing stops (restored after a reload).
 * `paused` stops saving while a send is under way, so a late save cannot resurrect a sent draft.
 */
export function useDraftAutosave(args: {
  conversationId: number;
  basedOnSeq: number;
  content: DraftContent;
  enabled: boolean;
  paused: boolean;
}): DraftAutosave {
  const [state, setState] = useState<SaveState>({ kind: "idle" });
  const key = JSON.stringify(args.content);
  const lastSaved = useRef<string | null>(null);
  const stopped = useRef(false);
  const inFlight = useRef<Promise<void>>(Promise.resolve());
  const { conversationId, basedOnSeq, enabled, paused } = args;

  useEffect(() => {
    if (!enabled || paused) return;
    if (lastSaved.current === null) {
      // The first content is what was loaded (or generated): nothing typed yet.
      lastSaved.current = key;
      return;
    }
    if (key === lastSaved.current) return;
    const timer = window.setTimeout(() => {
      if (stopped.current) return;
      setState({ kind: "saving" });
      const saving = trpc.draft.save.mutate({
        conversationId,
        basedOnSeq,
        content: JSON.parse(key) as DraftContent,
      });
      const answered = saving.then(
        () => {
          lastSaved.current = key;
          setState({ kind: "saved", at: new Date() });
        },
        () => setState({ kind: "failed" }),
      );
      // Every save still on its way, not only the last: an earlier one answered slowly could
      // otherwise reach the server after the delete.
      inFlight.current = Promise.all([inFlight.current, answered]).then(() => {});
    }, DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [key, conversationId, basedOnSeq, enabled, paused]);

  const stop = useCallback(() => {
    stopped.current = true;
    return inFlight.current;
  }, []);

  return { state, stop };
}
