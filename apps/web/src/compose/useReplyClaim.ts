import { useEffect, useState } from "react";
import { trpc } from "../api/client";

export type ClaimState = { held: true } | { held: false; holder: { id: number; name: string } } | null;

const RENEW_FLOOR_MS = 5_000;

/**
 * Opening the composer claims the reply (an advisory lease others see as "○○さんが返信中");
 * renewed before it expires while the composer stays open, released when it closes. With
 * `takeOver` (the user chose 引き継いで返信) the first claim takes it from the teammate.
 * A forward (`enabled` false) claims nothing: it is not an answer to the customer, and a
 * teammate must not be told someone is replying.
 */
export function useReplyClaim(conversationId: number, takeOver = false, enabled = true): ClaimState {
  const [state, setState] = useState<ClaimState>(null);
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: number | undefined;
    let first = true;
    const claim = async () => {
      try {
        const r = await trpc.reply.claim.mutate({ conversationId, takeOver: first && takeOver });
        first = false;
        if (stopped) return;
        setState(r.claimed ? { held: true } : { held: false, holder: r.holder });
        const ms = Math.max(RENEW_FLOOR_MS, (Date.parse(r.expiresAt) - Date.now()) / 2);
        timer = window.setTimeout(() => void claim(), ms);
      } catch {
        if (!stopped) timer = window.setTimeout(() => void claim(), RENEW_FLOOR_MS * 2);
      }
    };
    void claim();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      void trpc.reply.release.mutate({ conversationId }).catch(() => {});
    };
  }, [conversationId, takeOver, enabled]);
  return state;
}
