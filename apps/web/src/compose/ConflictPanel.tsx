import type { ReplyConflictInfo } from "../api/errors";
import { useI18n } from "../i18n";

/**
 * The send-time guard said no: what changed (the other reply's text, the comment, the
 * customer's new mail), and the author's explicit choices. The draft is kept either way.
 */
export function ConflictPanel(props: {
  conflict: ReplyConflictInfo;
  draftText: string;
  busy: boolean;
  onSendAnyway: () => void;
  onEdit: () => void;
  onDiscard: () => void;
}) {
  const { t, dates } = useI18n();
  const c = props.conflict;
  return (
    <div className="conflict" role="alertdialog" aria-labelledby="conflict-title" data-testid="conflict">
      <h3 id="conflict-title">{t("conflict.title")}</h3>
      <p>{t(`conflict.${c.kind}`, { name: c.byName, time: dates.full(c.at) })}</p>
      {(c.text || c.subject) && (
        <figure className="conflict-text">
          <figcaption>{t("conflict.theirText")}</figcaption>
          {c.subject && <p className="muted small">{c.subject}</p>}
          <pre data-testid="conflict-text">{c.text}</pre>
        </figure>
      )}
      <details className="conflict-draft">
        <summary>{t("conflict.yourDraft")}</summary>
        <pre>{props.draftText}</pre>
      </details>
      <div className="dialog-actions wrap">
        <button type="button" onClick={props.onEdit} disabled={props.busy}>
          {t("conflict.edit")}
        </button>
        <button type="button" className="danger" onClick={props.onDiscard} disabled={props.busy}>
          {t("conflict.discard")}
        </button>
        <button
          type="button"
          className="warn-button"
          onClick={props.onSendAnyway}
          disabled={props.busy}
          data-testid="send-anyway"
        >
          {t("conflict.sendAnyway")}
        </button>
      </div>
    </div>
  );
}
