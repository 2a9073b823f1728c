import { useI18n } from "../i18n";
import { useStore } from "../lib/store";
import { dismissToast, toasts } from "../lib/toast";

export function Toasts() {
  const list = useStore(toasts);
  const { t } = useI18n();
  return (
    <div className="toasts" aria-live="polite">
      {list.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.kind}`} data-testid={`toast-${toast.kind}`}>
          <span>{toast.text}</span>
          {toast.href && (
            <a href={toast.href} onClick={() => dismissToast(toast.id)}>
              {t("notifications.open")}
            </a>
          )}
          <button type="button" className="link" aria-label="×" onClick={() => dismissToast(toast.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
