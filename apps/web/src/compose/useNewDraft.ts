import { useCallback, useEffect, useRef, useState } from "react";
import { trpc } from "../api/client";

export type NewDraft = Awaited<ReturnType<typeof trpc.compose.newDrafts.query>>["drafts"][number];
type Content = Parameters<typeof trpc.compose.saveNewDraft.mutate>[0]["content"];

const AUTOSAVE_MS = 800;

/**
 * A new message's server draft: created by the first save (or the first upload), replaced by
 * id after that. Saves are chained so two never race to create two drafts. Paused while the
 * message is being sent or held (the draft then belongs to the send).
 */
export function useNewDraft(args: {
  saved: NewDraft | null;
  inboxId: number | null;
  content: Content;
  /** Nothing typed yet: no draft is created for an empty form. */
  empty: boolean;
  paused: boolean;
}) {
  const draftId = useRef<number | null>(args.saved?.id ?? null);
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const stopped = useRef(false);
  const [state, setState] = useState<"idle" | "saved" | "failed">("idle");
  const latest = useRef(args);
  latest.current = args;

  const save = useCallback((): Promise<number> => {
    const next = chain.current.then(async () => {
      const { inboxId, content } = latest.current;
      if (inboxId === null) throw new Error("no inbox to send from");
      const d = await trpc.compose.saveNewDraft.mutate({
        inboxId,
        content,
        ...(draftId.current !== null ? { draftId: draftId.current } : {}),
      });
      draftId.current = d.id;
      return d.id;
    });
    chain.current = next.catch(() => {});
    next.then(
      () => setState("saved"),
      () => setState("failed"),
    );
    return next;
  }, []);

  const { content, empty, paused, inboxId } = args;
  // biome-ignore lint/correctness/useExhaustiveDependencies: each edit (content) restarts the delay; save() reads the latest through a ref
  useEffect(() => {
    if (paused || inboxId === null || (empty && draftId.current === null)) return;
    const timer = window.setTimeout(() => {
      if (!stopped.current) void save().catch(() => {});
    }, AUTOSAVE_MS);
    return () => window.clearTimeout(timer);
  }, [content, empty, paused, inboxId, save]);

  /** The draft's id, saving first when there is none yet (an upload before any text). */
  const ensure = useCallback(async () => draftId.current ?? (await save()), [save]);
  /**
   * Ends autosaving, for 破棄: resolves once the saves already started are answered, so the
   * draft's id is known (a first save on its way creates it) and no later save brings it back.
   */
  const stop = useCallback(async () => {
    stopped.current = true;
    await chain.current;
  }, []);
  return { draftId, save, ensure, stop, state };
}
