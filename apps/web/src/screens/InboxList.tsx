import { useQuery } from "@tanstack/react-query";
import { trpc } from "../api/client";
import { keys } from "../api/keys";
import { ErrorBox } from "../components/ErrorBox";
import { useI18n } from "../i18n";
import { hrefAssigned, hrefInbox } from "../lib/route";

/** "Assigned to me" first, then the inboxes the user belongs to, with unread and 未対応 counts. */
export function InboxList() {
  const { t } = useI18n();
  const q = useQuery({ queryKey: keys.inboxes, queryFn: () => trpc.inbox.list.query() });
  if (q.isPending) return <p className="muted pad">{t("app.loading")}</p>;
  if (q.isError) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  const { inboxes, assignedToMe } = q.data;
  return (
    <section className="page">
      <h1 className="page-title">{t("inboxes.title")}</h1>
      {inboxes.length === 0 && <p className="muted">{t("inboxes.empty")}</p>}
      <ul className="inbox-cards">
        {inboxes.length > 0 && (
          <li>
            <a className="card inbox-card assigned-link" href={hrefAssigned()} data-testid="assigned-entry">
              <span className="inbox-name">{t("assigned.entry")}</span>
              <span className="inbox-address">{t("assigned.hint")}</span>
              <span className="inbox-counts">
                <span className={assignedToMe > 0 ? "count strong" : "count"} data-testid="assigned-count">
                  {t("assigned.notDone", { count: assignedToMe })}
                </span>
              </span>
            </a>
          </li>
        )}
        {inboxes.map((inbox) => (
          <li key={inbox.id}>
            <a className="card inbox-card" href={hrefInbox(inbox.id, "status=open")} data-testid="inbox-card">
              <span className="inbox-name">
                {inbox.name}
                <span className="tag">
                  {inbox.kind === "shared" ? t("inboxes.shared") : t("inboxes.personal")}
                </span>
              </span>
              <span className="inbox-address">{inbox.address}</span>
              <span className="inbox-counts">
                <span className={inbox.counts.open > 0 ? "count strong" : "count"}>
                  {t("inboxes.open", { count: inbox.counts.open })}
                </span>
                <span className={inbox.unread > 0 ? "count unread" : "count"}>
                  {t("inboxes.unread", { count: inbox.unread })}
                </span>
                {inbox.assignedToMe > 0 && (
                  <span className="count">{t("inboxes.assignedToMe", { count: inbox.assignedToMe })}</span>
                )}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
