import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { type Me, trpc } from "../api/client";
import { keys } from "../api/keys";
import { ConversationList } from "../conversation/ConversationList";
import { refreshAssigned } from "../conversation/list-scope";

/**
 * "担当: 自分": the conversations assigned to the user in every inbox they work, with the
 * inbox list's tabs, filters and paging. Rows open the conversation in its own inbox.
 */
export function AssignedToMe(props: { me: Me; query: URLSearchParams }) {
  useAssignedLive();
  return (
    <div className="single">
      <ConversationList me={props.me} scope={{ kind: "assigned" }} query={props.query} selectedId={null} />
    </div>
  );
}

/**
 * Realtime nudges refresh inbox.list whenever any of the user's inboxes advances (and when a
 * membership ends); the inboxes' seqs then differ, so the assigned list is refetched too. This
 * way an assignment made by a teammate in any inbox shows without a reload.
 */
function useAssignedLive(): void {
  const qc = useQueryClient();
  const inboxes = useQuery({ queryKey: keys.inboxes, queryFn: () => trpc.inbox.list.query() });
  const signature = inboxes.data?.inboxes.map((i) => `${i.id}@${i.seq}`).join(",");
  const seen = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (signature === undefined) return;
    if (seen.current !== undefined && seen.current !== signature) void refreshAssigned(qc);
    seen.current = signature;
  }, [signature, qc]);
}
