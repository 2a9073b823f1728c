import { STATUSES } from "../api/client";
import { useI18n } from "../i18n";

/** The four statuses as <option>s, in workflow order and the user's language. */
export function StatusOptions() {
  const { t } = useI18n();
  return (
    <>
      {STATUSES.map((s) => (
        <option key={s} value={s}>
          {t(`status.${s}`)}
        </option>
      ))}
    </>
  );
}
