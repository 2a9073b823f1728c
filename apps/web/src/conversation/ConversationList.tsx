import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { type ConversationRow, type Me, STATUSES, trpc } from "../api/client";
import { keys } from "../api/keys";
import { ErrorBox } from "../components/ErrorBox";
import { useI18n } from "../i18n";
import { LabelFilter } from "../labels/LabelFilter";
import { hrefRules, hrefTemplates, navigate } from "../lib/route";
import { BulkBar } from "./BulkBar";
import { ConversationListRow } from "./ConversationListRow";
import { filterFromQuery, type StatusTab, withParam } from "./list-filter";
import { usePresenceIn } from "./list-presence";
import { fetchPage, hrefList, hrefRow, type ListScope, listKey } from "./list-scope";

const ROW_HEIGHT = 92;

/**
 * Status tabs with counts, filters, search and a virtualized list that pages in as it scrolls,
 * for one inbox or for "assigned to me" across inboxes (rows then name their inbox).
 */
export function ConversationList(props: {
  me: Me;
  scope: ListScope;
  query: URLSearchParams;
  selectedId: number | null;
}) {
  const { t } = useI18n();
  const { scope, query } = props;
  const { tab, filter } = filterFromQuery(query);
  const acrossInboxes = scope.kind === "assigned";
  const [search, setSearch] = useState(filter.q ?? "");
  // 一括操作: the ids ticked, for the list they were ticked in; another tab or inbox starts afresh.
  const shown = JSON.stringify(listKey(scope, filter));
  const [pick, setPick] = useState<{ list: string; ids: number[] } | null>(null);
  const picked = pick?.list === shown ? pick.ids : null;
  const setPicked = (update: number[] | null | ((ids: number[]) => number[])) =>
    setPick((p) => {
      if (update === null) return null;
      const before = p?.list === shown ? p.ids : [];
      return { list: shown, ids: typeof update === "function" ? update(before) : update };
    });
  useEffect(() => setSearch(filter.q ?? ""), [filter.q]);

  const list = useInfiniteQuery({
    queryKey: listKey(scope, filter),
    queryFn: ({ pageParam }) => fetchPage(scope, filter, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows: ConversationRow[] = list.data?.pages.flatMap((p) => p.rows) ?? [];
  const counts = list.data?.pages[0]?.counts ?? null;
  const inboxes = useQuery({ queryKey: keys.inboxes, queryFn: () => trpc.inbox.list.query() });
  const inboxName = (id: number) => inboxes.data?.inboxes.find((i) => i.id === id)?.name ?? "";
  const presence = usePresenceIn(scope.kind === "inbox" ? [scope.inboxId] : rows.map((r) => r.inboxId));

  const scrollRef = useRef<HTMLDivElement>(null);
  // On a phone the tabs scroll sideways: the chosen one (迷惑メール, last) is brought into view.
  const tabsRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const bar = tabsRef.current;
    const chosen = bar?.querySelector<HTMLElement>(`[data-testid="tab-${tab}"]`);
    if (!bar || !chosen) return;
    const b = bar.getBoundingClientRect();
    const c = chosen.getBoundingClientRect();
    bar.scrollLeft += c.left - b.left - (b.width - c.width) / 2;
  }, [tab]);
  const virtualizer = useVirtualizer({
    count: rows.length + (list.hasNextPage ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (lastIndex >= rows.length - 10 && list.hasNextPage && !list.isFetchingNextPage)
      void list.fetchNextPage();
  }, [lastIndex, rows.length, list.hasNextPage, list.isFetchingNextPage, list.fetchNextPage]);

  const go = (next: URLSearchParams) => navigate(hrefList(scope, next), true);
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    go(withParam(query, "q", search.trim() || null));
  };
  const inbox =
    scope.kind === "inbox" ? inboxes.data?.inboxes.find((i) => i.id === scope.inboxId) : undefined;
  // 迷惑メール is its own tab, in an inbox only; its count comes with the inbox's (the list's counts
  // are per status of whatever the open tab shows).
  const tabs: StatusTab[] = [...STATUSES, "all", ...(scope.kind === "inbox" ? ["junk" as const] : [])];
  const total = counts ? STATUSES.reduce((n, s) => n + counts[s], 0) : null;
  const tabCount = (s: StatusTab) =>
    s === "junk" ? (inbox?.junk ?? "") : !counts || tab === "junk" ? "" : s === "all" ? total : counts[s];

  return (
    <section className="list-pane" aria-label={acrossInboxes ? t("nav.assignedToMe") : t("nav.inboxes")}>
      <form className="search" onSubmit={onSearch}>
        <input
          type="search"
          name="q"
          placeholder={t("list.search")}
          aria-label={t("list.search")}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <button type="submit">{t("list.searchButton")}</button>
      </form>
      <div className="tabs" role="tablist" ref={tabsRef}>
        {tabs.map((s) => (
          <button
            key={s}
            type="button"
            role="tab"
            aria-selected={tab === s}
            data-testid={`tab-${s}`}
            onClick={() => go(withParam(query, "status", s))}
          >
            {s === "all" ? t("list.tabAll") : s === "junk" ? t("list.tabJunk") : t(`status.${s}`)}
            <span className="tab-count">{tabCount(s)}</span>
          </button>
        ))}
      </div>
      <div className="filters">
        {scope.kind === "inbox" && (
          <select
            aria-label={t("list.filter.assignee")}
            value={filter.assignee}
            onChange={(e) =>
              go(withParam(query, "assignee", e.target.value === "anyone" ? null : e.target.value))
            }
          >
            <option value="anyone">
              {t("list.filter.assignee")}: {t("list.filter.anyone")}
            </option>
            <option value="me">
              {t("list.filter.assignee")}: {t("list.filter.me")}
            </option>
            <option value="unassigned">
              {t("list.filter.assignee")}: {t("list.filter.unassigned")}
            </option>
          </select>
        )}
        {scope.kind === "inbox" && (
          <LabelFilter
            inboxId={scope.inboxId}
            labelId={filter.labelId}
            onChange={(id) => go(withParam(query, "label", id === null ? null : String(id)))}
          />
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={filter.unread === true}
            onChange={(e) => go(withParam(query, "unread", e.target.checked ? "1" : null))}
          />
          {t("list.filter.unread")}
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={filter.hasAttachment === true}
            onChange={(e) => go(withParam(query, "att", e.target.checked ? "1" : null))}
          />
          {t("list.filter.hasAttachment")}
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={filter.scheduled === true}
            onChange={(e) => go(withParam(query, "sched", e.target.checked ? "1" : null))}
            data-testid="filter-scheduled"
          />
          {t("list.filter.scheduled")}
        </label>
        {picked === null && (
          <button type="button" className="small" onClick={() => setPicked([])} data-testid="select-mode">
            {t("list.select")}
          </button>
        )}
        {scope.kind === "inbox" && (
          <span className="inbox-links">
            <a href={hrefTemplates(scope.inboxId)}>{t("list.templates")}</a>
            <a href={hrefRules(scope.inboxId)} data-testid="rules-link">
              {t("list.rules")}
            </a>
          </span>
        )}
      </div>
      {picked !== null && (
        <BulkBar
          scope={scope}
          junkTab={tab === "junk"}
          selected={picked}
          loaded={rows.map((r) => r.id)}
          onSelect={setPicked}
          onDone={() => setPicked(null)}
        />
      )}
      {list.isError && <ErrorBox error={list.error} onRetry={() => void list.refetch()} />}
      <div className="list-scroll" ref={scrollRef} data-testid="conversation-list">
        {list.isPending && <p className="muted pad">{t("app.loading")}</p>}
        {list.isSuccess && rows.length === 0 && <p className="muted pad">{t("list.empty")}</p>}
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {items.map((item) => {
            const row = rows[item.index];
            return (
              <div
                key={row?.id ?? "more"}
                className="vrow"
                style={{ transform: `translateY(${item.start}px)`, height: item.size }}
              >
                {row ? (
                  <ConversationListRow
                    row={row}
                    me={props.me}
                    presence={presence}
                    selected={row.id === props.selectedId}
                    href={hrefRow(scope, row, query)}
                    inboxName={acrossInboxes ? inboxName(row.inboxId) : undefined}
                    pick={
                      picked === null
                        ? undefined
                        : {
                            checked: picked.includes(row.id),
                            toggle: () =>
                              setPicked((ids) =>
                                ids.includes(row.id) ? ids.filter((id) => id !== row.id) : [...ids, row.id],
                              ),
                          }
                    }
                  />
                ) : (
                  <p className="muted pad">{t("list.loadingMore")}</p>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
