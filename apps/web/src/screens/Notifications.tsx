import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { trpc } from "../api/client";
import { keys } from "../api/keys";
import { ErrorBox } from "../components/ErrorBox";
import { useI18n } from "../i18n";
import { hrefConversation } from "../lib/route";

/** @mentions and スヌーズ that ended, newest first; opening one marks it read. */
export function Notifications() {
  const { t, dates } = useI18n();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: keys.notifications,
    queryFn: () => trpc.notification.list.query({ limit: 50 }),
  });
  const markRead = useMutation({
    mutationFn: (ids: number[] | "all") => trpc.notification.markRead.mutate({ ids }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.notifications }),
  });
  if (q.isPending) return <p className="muted pad">{t("app.loading")}</p>;
  if (q.isError) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  return (
    <section className="page">
      <div className="page-head">
        <h1 className="page-title">{t("notifications.title")}</h1>
        {q.data.unread > 0 && (
          <button type="button" onClick={() => markRead.mutate("all")}>
            {t("notifications.markAllRead")}
          </button>
        )}
      </div>
      {q.data.items.length === 0 && <p className="muted">{t("notifications.empty")}</p>}
      <ul className="notification-list">
        {q.data.items.map((n) => (
          <li key={n.id} className={n.read ? "read" : "unread"} data-testid="notification">
            <a
              href={hrefConversation(n.inboxId, n.conversationId)}
              onClick={() => {
                if (!n.read) markRead.mutate([n.id]);
              }}
            >
              <span className="row-line">
                <strong>
                  {n.kind === "snooze_ended"
                    ? t("notifications.snoozeEnded")
                    : t("notifications.mention", { actor: n.actor?.name ?? "?" })}
                </strong>
                <time className="time muted small" dateTime={n.createdAt}>
                  {dates.full(n.createdAt)}
                </time>
              </span>
              <span className="subject">{n.subject}</span>
              {n.excerpt && <span className="snippet">{n.excerpt}</span>}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
