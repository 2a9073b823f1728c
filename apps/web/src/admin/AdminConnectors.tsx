import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type Outputs, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { type I18n, isMessageKey, useI18n } from "../i18n";
import { ConnectorAddForm, ConnectorEditForm } from "./ConnectorAddForm";

type Connector = Outputs["connector"]["list"][number];
type Progress = Connector["progress"][number];
type TestResult = Outputs["connector"]["test"];

const connectorsKey = [...keys.admin, "connectors"] as const;
/** Import progress moves while the page is open: poll, the workers do not push it. */
const POLL_MS = 3_000;

/** External mailboxes connected to shared inboxes: progress, health, test, switches, removal. */
export function AdminConnectors() {
  const { t } = useI18n();
  const connectors = useQuery({
    queryKey: connectorsKey,
    queryFn: () => trpc.connector.list.query(),
    refetchInterval: POLL_MS,
  });
  return (
    <div className="admin-panel">
      <p className="muted">{t("connector.intro")}</p>
      <ConnectorAddForm />
      {connectors.error && <p className="form-error">{t(errorKey(connectors.error))}</p>}
      {connectors.data?.length === 0 && <p className="muted">{t("connector.none")}</p>}
      {connectors.data?.map((c) => (
        <ConnectorCard key={c.id} connector={c} />
      ))}
    </div>
  );
}

function duration(t: I18n["t"], seconds: number): string {
  if (seconds < 90) return t("connector.seconds", { n: Math.max(1, Math.round(seconds)) });
  if (seconds < 90 * 60) return t("connector.minutes", { n: Math.round(seconds / 60) });
  return t("connector.hours", { n: Math.round(seconds / 3600) });
}

function ProgressLine(props: { p: Progress }) {
  const { t } = useI18n();
  const { p } = props;
  const parts = [t("connector.progress", { folder: p.folder, done: p.done, total: p.total })];
  if (!p.importing) parts.push(t("connector.importDone"));
  else {
    if (p.rate) parts.push(t("connector.rate", { rate: p.rate.toFixed(1) }));
    if (p.etaSeconds) parts.push(t("connector.eta", { time: duration(t, p.etaSeconds) }));
  }
  return (
    <li data-testid="connector-progress" data-done={p.done} data-total={p.total}>
      {parts.join(" · ")}
    </li>
  );
}

/**
 * The server's code and parameters in the admin's language; a code this page does not know
 * (a newer server, an unrecognized stored error) shows the server's own English text.
 */
function codedText(
  t: I18n["t"],
  coded: { code: string | null; params: Record<string, string | number> },
  fallback: string,
): string {
  const key = `connector.code.${coded.code}`;
  return coded.code && isMessageKey(key) ? t(key, coded.params) : fallback;
}

/** The stored last error: which job failed (sending, the Sent copy), then what happened. */
function lastErrorText(t: I18n["t"], c: Connector): string {
  const coded = c.lastErrorCoded;
  if (!coded) return c.lastError ?? "";
  const text = codedText(t, coded, String(coded.params.detail ?? c.lastError));
  return coded.context ? `${t(`connector.context.${coded.context}`)}: ${text}` : text;
}

function TestReport(props: { result: TestResult }) {
  const { t } = useI18n();
  return (
    <div data-testid="connector-test-result">
      <p className={props.result.ok ? "ok" : "form-error"}>
        {t(props.result.ok ? "connector.testOk" : "connector.testFailed")}
      </p>
      <ul className="connector-checks">
        {props.result.checks.map((c) => (
          <li
            // One check per service, step and outcome; folders differ by the folder in the message.
            key={`${c.service} ${c.code} ${c.message}`}
            className={c.ok ? "ok" : "form-error"}
            data-step={c.step}
            data-ok={c.ok}
            data-code={c.code ?? ""}
          >
            {c.ok ? "✓" : "✗"} {c.service} {t(`connector.step.${c.step}`)}:{" "}
            <span className="connector-message">{codedText(t, c, c.message)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ConnectorCard(props: { connector: Connector }) {
  const { t, dates } = useI18n();
  const qc = useQueryClient();
  const c = props.connector;
  const [editing, setEditing] = useState(false);
  const refresh = () => void qc.invalidateQueries({ queryKey: connectorsKey });
  const test = useMutation({ mutationFn: () => trpc.connector.test.mutate({ accountId: c.id }) });
  const enable = useMutation({
    mutationFn: (enabled: boolean) => trpc.connector.setEnabled.mutate({ accountId: c.id, enabled }),
    onSuccess: refresh,
  });
  const mirror = useMutation({
    mutationFn: (mirrorSeen: boolean) => trpc.connector.setMirrorSeen.mutate({ accountId: c.id, mirrorSeen }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => trpc.connector.remove.mutate({ accountId: c.id }),
    onSuccess: refresh,
  });
  const error = test.error ?? enable.error ?? mirror.error ?? remove.error;
  const confirmRemove = () => {
    if (window.confirm(t("connector.removeConfirm", { address: c.inboxAddress }))) remove.mutate();
  };
  return (
    <section className="card connector" data-testid="connector" data-connector-id={c.id}>
      <div className="inline">
        <strong className="grow">{c.inboxAddress}</strong>
        <span className={c.enabled ? "tag" : "tag muted"} data-testid="connector-state">
          {t(c.enabled ? "connector.enabled" : "connector.disabled")}
        </span>
      </div>
      <p className="muted small connector-message">
        {c.imapUser} · {c.imapHost}:{c.imapPort} ({t(`connector.tls.${c.imapTls}`)})
        {c.smtpHost && ` · SMTP ${c.smtpHost}:${c.smtpPort}`}
        {c.sentFolder && ` · ${t("connector.sentFolderIs", { folder: c.sentFolder })}`}
      </p>
      {c.allowInvalidCert && (
        <p className="form-error small" data-testid="connector-cert-warning">
          {t("connector.allowInvalidCertOn")}
        </p>
      )}
      <ul className="connector-checks">
        {c.progress.map((p) => (
          <ProgressLine key={p.folder} p={p} />
        ))}
      </ul>
      <p className="small" data-testid="connector-last-success">
        {c.lastSuccessAt
          ? t("connector.lastSuccess", { time: dates.full(c.lastSuccessAt) })
          : t("connector.neverSynced")}
      </p>
      {c.lastError && (
        <p className="form-error small connector-message" data-testid="connector-last-error">
          {t("connector.lastError", {
            time: c.lastErrorAt ? dates.full(c.lastErrorAt) : "",
            error: lastErrorText(t, c),
          })}
        </p>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={c.mirrorSeen}
          disabled={mirror.isPending}
          onChange={(e) => mirror.mutate(e.target.checked)}
        />
        {t("connector.mirrorSeen")}
      </label>
      <p className="muted small">{t("connector.mirrorSeenHelp")}</p>
      <div className="inline">
        <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
          {t("connector.edit")}
        </button>
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending}>
          {t(test.isPending ? "connector.testing" : "connector.test")}
        </button>
        <button type="button" onClick={() => enable.mutate(!c.enabled)} disabled={enable.isPending}>
          {t(c.enabled ? "connector.disable" : "connector.enable")}
        </button>
        <button type="button" className="danger" onClick={confirmRemove} disabled={remove.isPending}>
          {t("connector.remove")}
        </button>
      </div>
      {editing && <ConnectorEditForm connector={c} onClose={() => setEditing(false)} />}
      {test.data && <TestReport result={test.data} />}
      {error && <p className="form-error">{t(errorKey(error))}</p>}
    </section>
  );
}
