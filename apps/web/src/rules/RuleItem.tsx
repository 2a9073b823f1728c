import type { Rule } from "../api/client";
import { useI18n } from "../i18n";

/** One rule in the list: its name and summary, 有効, ↑ ↓, 編集 and 削除 (after asking). */
export function RuleItem(props: {
  rule: Rule;
  summary: string;
  /** 有効 as shown: the click's value until the server answers. */
  enabled: boolean;
  first: boolean;
  last: boolean;
  busy: boolean;
  onEnable: (enabled: boolean) => void;
  onMove: (direction: "up" | "down") => void;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const { t } = useI18n();
  const { rule } = props;
  return (
    <li
      className={`rule-item${props.enabled ? "" : " rule-off"}`}
      data-testid="rule-row"
      data-rule-id={rule.id}
    >
      <span className="grow rule-text">
        <strong data-testid="rule-name">{rule.name}</strong>
        <span className="muted small rule-summary" data-testid="rule-summary">
          {props.summary}
        </span>
      </span>
      <span className="rule-tools">
        <label className="check">
          <input
            type="checkbox"
            checked={props.enabled}
            disabled={props.busy}
            onChange={(e) => props.onEnable(e.target.checked)}
            data-testid="rule-enabled"
          />
          {t("rules.enabled")}
        </label>
        <button
          type="button"
          className="rule-move"
          aria-label={t("rules.moveUp")}
          title={t("rules.moveUp")}
          disabled={props.busy || props.first}
          onClick={() => props.onMove("up")}
          data-testid="rule-up"
        >
          ↑
        </button>
        <button
          type="button"
          className="rule-move"
          aria-label={t("rules.moveDown")}
          title={t("rules.moveDown")}
          disabled={props.busy || props.last}
          onClick={() => props.onMove("down")}
          data-testid="rule-down"
        >
          ↓
        </button>
        <button type="button" onClick={props.onEdit} data-testid="rule-edit">
          {t("chat.edit")}
        </button>
        <button
          type="button"
          className="danger"
          disabled={props.busy}
          onClick={() => {
            if (window.confirm(t("rules.deleteConfirm", { name: rule.name }))) props.onDelete();
          }}
          data-testid="rule-delete"
        >
          {t("chat.delete")}
        </button>
      </span>
    </li>
  );
}
