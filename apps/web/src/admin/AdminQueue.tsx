import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type Outputs, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";

type Entry = Outputs["admin"]["queue"]["list"]["entries"][number];

/** The list is looked at again this often, so a retried delivery is seen to leave it. */
const REFRESH_MS = 5_000;

/**
 * 送信キュー: outgoing mail not delivered yet (as `madoguchi queue list`), with the remote
 * server's last answer, 「今すぐ再送」 for mail waiting for its next attempt (the other side is
 * back), and 「配送を中止」 for mail that will never get through (the sender gets the bounce now).
 */
export function AdminQueue() {
  const { t } = useI18n();
  const qc = useQueryClient();
  /** The recipient domain the list is narrowed to (where mail is stuck), or null for all. */
  const [domain, setDomain] = useState<string | null>(null);
  const queue = useQuery({
    queryKey: [...keys.admin, "queue", domain],
    queryFn: () => trpc.admin.queue.list.query(domain === null ? undefined : { domain }),
    refetchInterval: REFRESH_MS,
  });
  /** What the last button did, said once. */
  const [done, setDone] = useState<string | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: [...keys.admin, "queue"] });
  const retry = useMutation({
    mutationFn: (ids: number[] | "all" | { domain: string }) => trpc.admin.queue.retry.mutate({ ids }),
    onSuccess: (r) => {
      setDone(r.due.length ? t("queue.retried", { count: r.due.length }) : t("queue.notRetried"));
      refresh();
    },
  });
  const cancel = useMutation({
    mutationFn: (id: number) => trpc.admin.queue.cancel.mutate({ ids: [id] }),
    onSuccess: (r) => {
      setDone(t(r.cancelled.length ? "queue.cancelled" : "queue.notCancelled"));
      refresh();
    },
  });
  const act = (run: () => void) => {
    setDone(null);
    run();
  };
  const entries = queue.data?.entries;
  const domains = queue.data?.domains ?? [];
  const more = (queue.data?.total ?? 0) - (entries?.length ?? 0);
  const waiting = entries?.filter((e) => e.state === "queued").length ?? 0;
  const error = queue.error ?? retry.error ?? cancel.error;
  const busy = retry.isPending || cancel.isPending;
  return (
    <div className="admin-panel">
      <p className="muted small">{t("queue.intro")}</p>
      {(domains.length > 1 || domain !== null) && (
        <label className="queue-domain">
          {t("queue.domain")}
          <select
            value={domain ?? ""}
            onChange={(e) => {
              setDone(null);
              setDomain(e.target.value || null);
            }}
          >
            <option value="">
              {t("queue.allDomains", { count: domains.reduce((sum, d) => sum + d.count, 0) })}
            </option>
            {domain !== null && !domains.some((d) => d.domain === domain) && (
              <option value={domain}>{t("queue.domainOption", { domain, count: 0 })}</option>
            )}
            {domains.map((d) => (
              <option key={d.domain} value={d.domain}>
                {t("queue.domainOption", { domain: d.domain, count: d.count })}
              </option>
            ))}
          </select>
        </label>
      )}
      {entries && !entries.length && (
        <p className="card" data-testid="queue-empty">
          {domain === null ? t("queue.empty") : t("queue.emptyDomain", { domain })}
        </p>
      )}
      {(waiting > 1 || (domain !== null && waiting > 0)) && (
        <div className="inline">
          <button
            type="button"
            onClick={() => act(() => retry.mutate(domain === null ? "all" : { domain }))}
            disabled={busy}
          >
            {domain === null ? t("queue.retryAll") : t("queue.retryDomain", { domain })}
          </button>
        </div>
      )}
      {done && (
        <p className="ok small" role="status">
          {done}
        </p>
      )}
      {error && <p className="form-error">{t(errorKey(error))}</p>}
      <ul className="admin-list queue-list">
        {entries?.map((e) => (
          <QueueItem
            key={e.id}
            entry={e}
            onRetry={() => act(() => retry.mutate([e.id]))}
            onCancel={() => {
              if (window.confirm(t("queue.cancelConfirm", { to: e.recipients.join(", ") })))
                act(() => cancel.mutate(e.id));
            }}
            busy={busy}
          />
        ))}
      </ul>
      {more > 0 && (
        <p className="muted small" data-testid="queue-more">
          {t("queue.more", { count: more })}
        </p>
      )}
    </div>
  );
}

function QueueItem(props: { entry: Entry; onRetry(): void; onCancel(): void; busy: boolean }) {
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
          <button type="button" className="danger" onClick={props.onCancel} disabled={props.busy}>
            {t("queue.cancel")}
          </button>
        </div>
      )}
    </li>
  );
}
