import { createContext, useContext, useMemo } from "react";
import { Store, useStore } from "../lib/store";
import type { Realtime } from "./client";
import { type ConversationPresence, presenceOn } from "./presence";

export const RealtimeContext = createContext<Realtime | null>(null);

export function useRealtime(): Realtime | null {
  return useContext(RealtimeContext);
}

const NOBODY: ConversationPresence = { viewers: [], replying: null };
const FALLBACK_VERSION = new Store(0);

/** Everyone else on this conversation right now (viewers, and who is replying). */
export function useConversationPresence(
  inboxId: number,
  conversationId: number,
  myUserId: number,
): ConversationPresence {
  const rt = useRealtime();
  const version = useStore(rt?.presenceVersion ?? FALLBACK_VERSION);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the presence book's change signal
  return useMemo(() => {
    if (!rt) return NOBODY;
    return presenceOn(rt.presence.entries(inboxId), conversationId, {
      userId: myUserId,
      connectionId: rt.connectionId,
    });
  }, [rt, inboxId, conversationId, myUserId, version]);
}

/** All presence entries of an inbox (the list marks rows being viewed or replied to). */
export function useInboxPresence(inboxId: number) {
  const rt = useRealtime();
  const version = useStore(rt?.presenceVersion ?? FALLBACK_VERSION);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the presence book's change signal
  return useMemo(() => (rt ? rt.presence.entries(inboxId) : []), [rt, inboxId, version]);
}
