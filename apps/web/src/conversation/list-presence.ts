import type { PresenceEntry } from "@madoguchi/api/router";
import { useMemo } from "react";
import { Store, useStore } from "../lib/store";
import { useRealtime } from "../realtime/context";

const NO_VERSION = new Store(0);

/** Presence entries of several inboxes at once (the assigned list spans inboxes). */
export function usePresenceIn(inboxIds: readonly number[]): readonly PresenceEntry[] {
  const rt = useRealtime();
  const version = useStore(rt?.presenceVersion ?? NO_VERSION);
  const idList = [...new Set(inboxIds)].sort((a, b) => a - b).join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the presence book's change signal
  return useMemo(() => {
    if (!rt || !idList) return [];
    return idList.split(",").flatMap((id) => rt.presence.entries(Number(id)));
  }, [rt, idList, version]);
}
