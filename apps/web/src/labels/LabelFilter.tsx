import { useEffect } from "react";
import { useI18n } from "../i18n";
import { useLabels } from "./useLabels";

/**
 * 「ラベル: すべて / 請求 / …」 over an inbox's list. Shown once the inbox has labels; a label
 * deleted meanwhile (or one of another inbox in a pasted link) drops out of the filter.
 */
export function LabelFilter(props: {
  inboxId: number;
  labelId: number | undefined;
  onChange: (labelId: number | null) => void;
}) {
  const { t } = useI18n();
  const labels = useLabels(props.inboxId);
  const all = labels.data?.labels ?? [];
  const gone = labels.isSuccess && props.labelId !== undefined && !all.some((l) => l.id === props.labelId);
  const { onChange } = props;
  useEffect(() => {
    if (gone) onChange(null);
  }, [gone, onChange]);
  if (all.length === 0) return null;
  const name = t("list.filter.label");
  return (
    <select
      aria-label={name}
      className="label-select"
      value={gone ? "" : (props.labelId ?? "")}
      onChange={(e) => props.onChange(e.target.value ? Number(e.target.value) : null)}
      data-testid="filter-label"
    >
      <option value="">
        {name}: {t("list.filter.anyLabel")}
      </option>
      {all.map((l) => (
        <option key={l.id} value={l.id}>
          {name}: {l.name}
        </option>
      ))}
    </select>
  );
}
