import { useEffect, useRef, useState } from "react";
import { type Inputs, trpc } from "../api/client";

type DraftContent = Inputs["draft"]["save"]["content"];
export type SaveState =
  | { kind: "idle" }
  | { kind: "saving" }
  | { kind: "saved"; at: Date }
  | { kind: "failed" };

const DEBOUNCE_MS = 1200;

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
}): SaveState {
  const [state, setState] = useState<SaveState>({ kind: "idle" });
  const key = JSON.stringify(args.content);
  const lastSaved = useRef<string | null>(null);
  const { conversationId, basedOnSeq, enabled, paused } = args;

  useEffect(() => {
    if (!enabled || paused) return;
    if (lastSaved.current === null) {
      // The first content is what was loaded (or generated): nothing typed yet.
      lastSaved.current = key;
      return;
    }
    if (key === lastSaved.current) return;
    const timer = window.setTimeout(async () => {
      setState({ kind: "saving" });
      try {
        await trpc.draft.save.mutate({
          conversationId,
          basedOnSeq,
          content: JSON.parse(key) as DraftContent,
        });
        lastSaved.current = key;
        setState({ kind: "saved", at: new Date() });
      } catch {
        setState({ kind: "failed" });
      }
    }, DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [key, conversationId, basedOnSeq, enabled, paused]);

  return state;
}
