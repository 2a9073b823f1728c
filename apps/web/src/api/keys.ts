import type { QueryClient } from "@tanstack/react-query";
import type { ListInput } from "./client";

/** Query keys: arrays so one inbox's or one conversation's queries can be invalidated by prefix. */
export const keys = {
  me: ["auth.me"] as const,
  inboxes: ["inbox.list"] as const,
  members: (inboxId: number) => ["inbox.members", inboxId] as const,
  listAll: ["conversation.list"] as const,
  list: (inboxId: number, filter?: Omit<ListInput, "inboxId" | "cursor">) =>
    filter ? (["conversation.list", inboxId, filter] as const) : (["conversation.list", inboxId] as const),
  conversationAll: ["conversation.get"] as const,
  conversation: (id: number, allowRemote?: boolean) =>
    allowRemote === undefined
      ? (["conversation.get", id] as const)
      : (["conversation.get", id, { allowRemote }] as const),
  drafts: (conversationId: number) => ["draft.get", conversationId] as const,
  templates: (inboxId: number) => ["template.list", inboxId] as const,
  labels: (inboxId: number) => ["label.list", inboxId] as const,
  rules: (inboxId: number) => ["rule.list", inboxId] as const,
  notifications: ["notification.list"] as const,
  admin: ["admin"] as const,
};

/** After a change to one conversation: it, its inbox's lists and the inboxes' counts are fetched again. */
export function refreshConversation(qc: QueryClient, c: { conversationId: number; inboxId: number }): void {
  void qc.invalidateQueries({ queryKey: keys.conversation(c.conversationId) });
  void qc.invalidateQueries({ queryKey: keys.list(c.inboxId) });
  void qc.invalidateQueries({ queryKey: keys.inboxes });
}
