import { type QueryClient, useQuery } from "@tanstack/react-query";
import { type ConversationDetail, type LabelRef, trpc } from "../api/client";
import { keys } from "../api/keys";

/** An inbox's labels and the colours a label can take; nothing is fetched without an inbox. */
export function useLabels(inboxId: number | null) {
  return useQuery({
    queryKey: keys.labels(inboxId ?? 0),
    queryFn: () => trpc.label.list.query({ inboxId: inboxId ?? 0 }),
    enabled: inboxId !== null,
  });
}

/** The server's answer to a change of a conversation's labels, shown at once (the refetch follows). */
export function showConversationLabels(qc: QueryClient, conversationId: number, labels: LabelRef[]): void {
  qc.setQueriesData<ConversationDetail>({ queryKey: keys.conversation(conversationId) }, (old) =>
    old ? { ...old, conversation: { ...old.conversation, labels } } : old,
  );
}
