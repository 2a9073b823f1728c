import type { Status } from "../api/client";
import { useI18n } from "../i18n";

export function StatusChip(props: { status: Status }) {
  const { t } = useI18n();
  return <span className={`status-chip status-${props.status}`}>{t(`status.${props.status}`)}</span>;
}
