import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type Label, type Member, type Rule, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { useI18n } from "../i18n";
import { LabelChip } from "../labels/LabelChip";
import { RULE_FIELDS, RULE_STATUSES, type RuleField, type RuleStatus } from "./rule-summary";

/** The server takes up to this many conditions a rule. */
const MAX_CONDITIONS = 10;

interface ConditionRow {
  /** React's key: rows are added and removed in the middle. */
  key: number;
  field: RuleField;
  value: string;
}

let nextKey = 1;
const row = (field: RuleField = "from", value = ""): ConditionRow => ({ key: nextKey++, field, value });

/**
 * A rule's name, its conditions (項目 + 「を含む」 text, all to match) and what it does. Rows left
 * blank are dropped; the server says when no condition or no action remains.
 */
export function RuleForm(props: {
  inboxId: number;
  /** null: a new rule, added last. */
  rule: Rule | null;
  members: Member[];
  labels: Label[];
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const { rule } = props;
  const [name, setName] = useState(rule?.name ?? "");
  const [conditions, setConditions] = useState<ConditionRow[]>(() =>
    rule ? rule.conditions.map((c) => row(c.field, c.value)) : [row()],
  );
  const [assigneeId, setAssigneeId] = useState<number | null>(rule?.actions.assigneeId ?? null);
  const [labelIds, setLabelIds] = useState<number[]>(rule?.actions.labelIds ?? []);
  const [status, setStatus] = useState<RuleStatus | null>(rule?.actions.status ?? null);

  const save = useMutation({
    mutationFn: () => {
      const fields = {
        name: name.trim(),
        conditions: conditions
          .map((c) => ({ field: c.field, value: c.value.trim() }))
          .filter((c) => c.value !== ""),
        // A label deleted since the rule was saved is let go rather than refused.
        actions: {
          assigneeId,
          labelIds: labelIds.filter((id) => props.labels.some((l) => l.id === id)),
          status,
        },
      };
      return rule
        ? trpc.rule.update.mutate({ ruleId: rule.id, ...fields })
        : trpc.rule.create.mutate({ inboxId: props.inboxId, ...fields });
    },
    onSuccess: props.onSaved,
  });
  const change = (key: number, patch: Partial<ConditionRow>) =>
    setConditions((rows) => rows.map((c) => (c.key === key ? { ...c, ...patch } : c)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  // A member who left stays chosen (and shown) until changed.
  const assigneeKnown = assigneeId === null || props.members.some((m) => m.userId === assigneeId);

  return (
    <form className="card form rule-form" onSubmit={submit} data-testid="rule-form">
      <h2>{rule ? t("rules.edit") : t("rules.new")}</h2>
      <label>
        {t("rules.name")}
        <input
          value={name}
          maxLength={100}
          onChange={(e) => setName(e.target.value)}
          required
          data-testid="rule-name-input"
        />
      </label>
      <fieldset className="rule-fieldset">
        <legend>{t("rules.conditions")}</legend>
        {conditions.map((c) => (
          <div className="rule-condition" key={c.key} data-testid="rule-condition">
            <select
              value={c.field}
              aria-label={t("rules.field")}
              onChange={(e) => change(c.key, { field: e.target.value as RuleField })}
              data-testid="rule-condition-field"
            >
              {RULE_FIELDS.map((f) => (
                <option key={f} value={f}>
                  {t(`rules.field.${f}`)}
                </option>
              ))}
            </select>
            <input
              value={c.value}
              maxLength={200}
              aria-label={t("rules.value")}
              onChange={(e) => change(c.key, { value: e.target.value })}
              data-testid="rule-condition-value"
            />
            <span className="rule-contains">{t("rules.contains")}</span>
            <button
              type="button"
              className="link rule-condition-remove"
              aria-label={t("rules.removeCondition")}
              title={t("rules.removeCondition")}
              disabled={conditions.length === 1}
              onClick={() => setConditions((rows) => rows.filter((r) => r.key !== c.key))}
              data-testid="rule-condition-remove"
            >
              ×
            </button>
          </div>
        ))}
        {conditions.length < MAX_CONDITIONS && (
          <button
            type="button"
            className="link rule-condition-add"
            onClick={() => setConditions((rows) => [...rows, row()])}
            data-testid="rule-condition-add"
          >
            ＋ {t("rules.addCondition")}
          </button>
        )}
      </fieldset>
      <fieldset className="rule-fieldset">
        <legend>{t("rules.actions")}</legend>
        <label>
          {t("rules.assignee")}
          <select
            value={assigneeId ?? ""}
            onChange={(e) => setAssigneeId(e.target.value ? Number(e.target.value) : null)}
            data-testid="rule-assignee"
          >
            <option value="">{t("rules.unset")}</option>
            {!assigneeKnown && <option value={assigneeId ?? ""}>{t("rules.unknownMember")}</option>}
            {props.members.map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <div className="rule-labels">
          <span>{t("rules.labels")}</span>
          {props.labels.length === 0 ? (
            <span className="muted small">{t("rules.noLabels")}</span>
          ) : (
            <ul className="rule-label-options">
              {props.labels.map((l) => (
                <li key={l.id}>
                  <label className="check" data-testid="rule-label" data-label-id={l.id}>
                    <input
                      type="checkbox"
                      checked={labelIds.includes(l.id)}
                      onChange={(e) =>
                        setLabelIds((ids) =>
                          e.target.checked ? [...ids, l.id] : ids.filter((id) => id !== l.id),
                        )
                      }
                    />
                    <LabelChip label={l} />
                  </label>
                </li>
              ))}
            </ul>
          )}
        </div>
        <label>
          {t("rules.status")}
          <select
            value={status ?? ""}
            onChange={(e) => setStatus(e.target.value ? (e.target.value as RuleStatus) : null)}
            data-testid="rule-status"
          >
            <option value="">{t("rules.unset")}</option>
            {RULE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      {save.error && (
        <p className="form-error" role="alert" data-testid="rule-error">
          {t(errorKey(save.error))}
        </p>
      )}
      <div className="inline">
        <button type="submit" className="primary" disabled={save.isPending} data-testid="rule-save">
          {t("settings.save")}
        </button>
        <button type="button" onClick={props.onCancel} data-testid="rule-cancel">
          {t("chat.cancel")}
        </button>
      </div>
    </form>
  );
}
