import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type Outputs, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";

type Entry = Outputs["admin"]["queue"]["list"][number];

/** The list is looked at again this often, so a retried delivery is seen to leave it. */
const REFRESH_MS = 5_000;

/**
 * 送信キュー: outgoing mail not delivered yet (as `madoguchi queue list`), with the remote
 * server's last answer, and 「今すぐ再送」 for mail waiting for its next attempt, for example once
 * the other side is back.
 */
export function AdminQueue() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const queue = useQuery({
    queryKey: [...keys.admin, "queue"],
    queryFn: () => trpc.admin.queue.list.query(),
    refetchInterval: REFRESH_MS,
  });
  const retry = useMutation({
    mutationFn: (ids: number[] | "all") => trpc.admin.queue.retry.mutate({ ids }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: [...keys.admin, "queue"] }),
  });
  const waiting = queue.data?.filter((e) => e.state === "queued").length ?? 0;
  const error = queue.error ?? retry.error;
  return (
    <div className="admin-panel">
      <p className="muted small">{t("queue.intro")}</p>
      {queue.data && !queue.data.length && (
        <p className="card" data-testid="queue-empty">
          {t("queue.empty")}
        </p>
      )}
      {waiting > 1 && (
        <div className="inline">
          <button type="button" onClick={() => retry.mutate("all")} disabled={retry.isPending}>
            {t("queue.retryAll")}
          </button>
        </div>
      )}
      {retry.data && (
        <p className="ok small" role="status">
          {retry.data.due.length
            ? t("queue.retried", { count: retry.data.due.length })
            : t("queue.notRetried")}
        </p>
      )}
      {error && <p className="form-error">{t(errorKey(error))}</p>}
      <ul className="admin-list queue-list">
        {queue.data?.map((e) => (
          <QueueItem key={e.id} entry={e} onRetry={() => retry.mutate([e.id])} busy={retry.isPending} />
        ))}
      </ul>
    </div>
  );
}

function QueueItem(props: { entry: Entry; onRetry(): void; busy: boolean }) {
  const { t, dates } = useI18n();
  const e = props.entry;
  return (
    <li data-testid="queue-entry" data-state={e.state} className="queue-entry">
      <div className="inline">
        <strong className="grow queue-to">{e.recipients.join(", ")}</strong>
        <span className={`tag queue-${e.state}`}>{t(`queue.state.${e.state}`)}</span>
      </div>
      <dl className="dns-fields">
        <dt>{t("queue.subject")}</dt>
        <dd>{e.subject || t("queue.noSubject")}</dd>
        <dt>{t("queue.from")}</dt>
        <dd>{e.mailFrom || "<>"}</dd>
        <dt>{t("queue.queuedAt")}</dt>
        <dd>{dates.full(e.queuedAt)}</dd>
        <dt>{t("queue.attempts")}</dt>
        <dd data-testid="queue-attempts">{e.attempts}</dd>
        {e.state === "queued" && (
          <>
            <dt>{t("queue.nextAttempt")}</dt>
            <dd>{dates.full(e.nextAttemptAt)}</dd>
          </>
        )}
        {e.lastError && (
          <>
            <dt>{t("queue.lastAnswer")}</dt>
            <dd className="queue-answer" data-testid="queue-answer">
              {e.lastError}
            </dd>
          </>
        )}
      </dl>
      {e.state === "queued" && (
        <div className="inline">
          <button type="button" className="primary" onClick={props.onRetry} disabled={props.busy}>
            {t("queue.retry")}
          </button>
        </div>
      )}
    </li>
  );
}
