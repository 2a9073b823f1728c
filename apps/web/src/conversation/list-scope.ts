import type { QueryClient } from "@tanstack/react-query";
import { trpc } from "../api/client";
import { keys } from "../api/keys";
import { hrefAssigned, hrefConversation, hrefInbox } from "../lib/route";
import type { ListFilter } from "./list-filter";

/** What a conversation list shows: one inbox, or "assigned to me" across every inbox of the user. */
export type ListScope = { kind: "inbox"; inboxId: number } | { kind: "assigned" };

/**
 * The assigned list's query key sits under keys.listAll, so whatever refreshes every list
 * (read state in another tab) refreshes it too.
 */
export const assignedKey = (filter?: ListFilter) =>
  filter ? ([...keys.listAll, "assigned", filter] as const) : ([...keys.listAll, "assigned"] as const);

export function listKey(scope: ListScope, filter: ListFilter) {
  return scope.kind === "inbox" ? keys.list(scope.inboxId, filter) : assignedKey(filter);
}

export function fetchPage(scope: ListScope, filter: ListFilter, cursor: string | undefined) {
  if (scope.kind === "inbox")
    return trpc.conversation.list.query({ inboxId: scope.inboxId, ...filter, cursor });
  // Across inboxes the assignee is always the caller.
  const { assignee: _assignee, ...rest } = filter;
  return trpc.conversation.assigned.query({ ...rest, cursor });
}

/** Where the list itself lives with other filters (tabs, search and checkboxes rewrite the URL). */
export const hrefList = (scope: ListScope, query: URLSearchParams) =>
  scope.kind === "inbox" ? hrefInbox(scope.inboxId, query) : hrefAssigned(query);

/** A row opens its conversation in its own inbox; an inbox list keeps its filters for "back". */
export const hrefRow = (scope: ListScope, row: { inboxId: number; id: number }, query: URLSearchParams) =>
  scope.kind === "inbox"
    ? hrefConversation(row.inboxId, row.id, query)
    : hrefConversation(row.inboxId, row.id);

/** Refreshes the assigned list (an assignment or status changed in one of the user's inboxes). */
export const refreshAssigned = (qc: QueryClient) => qc.invalidateQueries({ queryKey: assignedKey() });
