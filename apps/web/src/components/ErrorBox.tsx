import { errorKey } from "../api/errors";
import { useI18n } from "../i18n";

/** An error in plain words (from the server's message key), with an optional retry. */
export function ErrorBox(props: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="error-box" role="alert">
      <p>{t(errorKey(props.error))}</p>
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          {t("app.retry")}
        </button>
      )}
    </div>
  );
}
