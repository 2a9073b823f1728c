import { useQuery } from "@tanstack/react-query";
import { trpc } from "../api/client";
import { keys } from "../api/keys";
import { ErrorBox } from "../components/ErrorBox";
import { useI18n } from "../i18n";
import { hrefInbox } from "../lib/route";

/**
 * "Assigned to me" across inboxes: each inbox with open work assigned to the user, linking
 * to its list filtered to me (the API lists conversations per inbox).
 */
export function AssignedToMe() {
  const { t } = useI18n();
  const q = useQuery({ queryKey: keys.inboxes, queryFn: () => trpc.inbox.list.query() });
  if (q.isPending) return <p className="muted pad">{t("app.loading")}</p>;
  if (q.isError) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  const mine = q.data.inboxes.filter((i) => i.assignedToMe > 0);
  return (
    <section className="page">
      <h1 className="page-title">{t("nav.assignedToMe")}</h1>
      {mine.length === 0 && <p className="muted">{t("list.empty")}</p>}
      <ul className="inbox-cards">
        {mine.map((inbox) => (
          <li key={inbox.id}>
            <a className="card inbox-card" href={hrefInbox(inbox.id, "assignee=me")}>
              <span className="inbox-name">{inbox.name}</span>
              <span className="inbox-address">{inbox.address}</span>
              <span className="inbox-counts">
                <span className="count strong">
                  {t("inboxes.assignedToMe", { count: inbox.assignedToMe })}
                </span>
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
