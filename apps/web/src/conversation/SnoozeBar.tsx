import type { ConversationDetail } from "../api/client";
import { errorKey } from "../api/errors";
import { useI18n } from "../i18n";
import { useSnooze } from "./useSnooze";

/** While snoozed: until when and by whom, and 解除 (back to 未対応 at once). */
export function SnoozeBar(props: { detail: ConversationDetail }) {
  const { t, dates } = useI18n();
  const c = props.detail.conversation;
  const unsnooze = useSnooze(c);
  if (!c.snooze) return null;
  const time = dates.dayTime(c.snooze.until);
  return (
    <div className="banner info snooze-bar" data-testid="snooze-bar">
      <span data-testid="snooze-text">
        {c.snooze.by ? t("snooze.bar", { time, name: c.snooze.by.name }) : t("snooze.barNoName", { time })}
      </span>
      <button
        type="button"
        className="small"
        disabled={unsnooze.isPending}
        onClick={() => unsnooze.mutate(null)}
        data-testid="snooze-cancel"
      >
        {t("snooze.cancel")}
      </button>
      {unsnooze.isError && (
        <span className="form-error" role="alert">
          {t(errorKey(unsnooze.error))}
        </span>
      )}
    </div>
  );
}
