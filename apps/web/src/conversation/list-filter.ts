import type { ListInput, Status } from "../api/client";
import { STATUSES } from "../api/client";

/** A status, every status, or 迷惑メール (kept out of the others). */
export type StatusTab = Status | "all" | "junk";
export type ListFilter = Omit<ListInput, "inboxId" | "cursor">;

/**
 * The list's filters live in the URL (#/inbox/3?status=open&assignee=me&label=7&q=請求書) so reload
 * and back keep them.
 */
export function filterFromQuery(query: URLSearchParams): { tab: StatusTab; filter: ListFilter } {
  const s = query.get("status");
  const tab: StatusTab =
    s === "all" || s === "junk" ? s : STATUSES.includes(s as Status) ? (s as Status) : "open";
  const a = query.get("assignee");
  const assignee = a === "me" || a === "unassigned" ? a : "anyone";
  const q = query.get("q")?.trim() ?? "";
  const filter: ListFilter = { assignee, limit: 50 };
  if (tab === "junk") filter.junk = true;
  else if (tab !== "all") filter.status = tab;
  if (query.get("unread") === "1") filter.unread = true;
  if (query.get("att") === "1") filter.hasAttachment = true;
  if (query.get("sched") === "1") filter.scheduled = true;
  const label = query.get("label");
  if (label && /^\d{1,9}$/.test(label) && Number(label) > 0) filter.labelId = Number(label);
  if (q) filter.q = q;
  return { tab, filter };
}

export function withParam(query: URLSearchParams, name: string, value: string | null): URLSearchParams {
  const next = new URLSearchParams(query);
  if (value === null || value === "") next.delete(name);
  else next.set(name, value);
  return next;
}
