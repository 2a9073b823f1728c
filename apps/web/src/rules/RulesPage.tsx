import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type Rule, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { ErrorBox } from "../components/ErrorBox";
import { useI18n } from "../i18n";
import { useLabels } from "../labels/useLabels";
import { hrefInbox } from "../lib/route";
import { RuleForm } from "./RuleForm";
import { RuleItem } from "./RuleItem";
import { ruleSummary } from "./rule-summary";

/**
 * An inbox's 自動振り分け rules, managed by its members: applied in this order to each new
 * inquiry. One form at a time, in place of the rule being edited or below the list for a new one.
 */
export function RulesPage(props: { inboxId: number }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { inboxId } = props;
  const qc = useQueryClient();
  const rules = useQuery({
    queryKey: keys.rules(inboxId),
    queryFn: () => trpc.rule.list.query({ inboxId }),
  });
  const members = useQuery({
    queryKey: keys.members(inboxId),
    queryFn: () => trpc.inbox.members.query({ inboxId }),
    staleTime: 5 * 60_000,
  });
  const labels = useLabels(inboxId);
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: keys.rules(inboxId) });

  // 有効 as clicked, until the server answers (the controlled checkbox would spring back meanwhile).
  const [switching, setSwitching] = useState<{ ruleId: number; enabled: boolean } | null>(null);
  const enable = useMutation({
    mutationFn: (v: { ruleId: number; enabled: boolean }) => trpc.rule.update.mutate(v),
    onSettled: async () => {
      await qc.invalidateQueries({ queryKey: keys.rules(inboxId) });
      setSwitching(null);
    },
  });
  const move = useMutation({
    mutationFn: (v: { ruleId: number; direction: "up" | "down" }) => trpc.rule.move.mutate(v),
    onSuccess: (r) => qc.setQueryData(keys.rules(inboxId), r),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (ruleId: number) => trpc.rule.delete.mutate({ ruleId }),
    onSettled: refresh,
  });

  // The summaries and the form name the inbox's members and labels: all three come first.
  const failed = [rules, members, labels].find((q) => q.isError);
  if (failed) return <ErrorBox error={failed.error} onRetry={() => void failed.refetch()} />;
  if (!rules.data || !members.data || !labels.data) return <p className="muted pad">{t("app.loading")}</p>;
  const list = rules.data.rules;
  const inbox = { members: members.data, labels: labels.data.labels };
  const busy = switching !== null || move.isPending || remove.isPending;
  const error = enable.error ?? move.error ?? remove.error;
  const form = (rule: Rule | null) => (
    <RuleForm
      key={rule?.id ?? "new"}
      inboxId={inboxId}
      rule={rule}
      members={inbox.members}
      labels={inbox.labels}
      onSaved={() => {
        setEditing(null);
        refresh();
      }}
      onCancel={() => setEditing(null)}
    />
  );

  return (
    <section className="page" data-testid="rules-page">
      <a className="back" href={hrefInbox(inboxId)}>
        ← {t("conv.back")}
      </a>
      <h1 className="page-title">{t("rules.title")}</h1>
      <p className="banner info" data-testid="rules-note">
        {t("rules.note")}
      </p>
      {list.length === 0 && editing === null && <p className="muted">{t("rules.empty")}</p>}
      <ol className="admin-list rule-list">
        {list.map((rule, i) =>
          editing === rule.id ? (
            <li key={rule.id} className="rule-editing">
              {form(rule)}
            </li>
          ) : (
            <RuleItem
              key={rule.id}
              rule={rule}
              summary={ruleSummary(rule, inbox, i18n)}
              enabled={switching?.ruleId === rule.id ? switching.enabled : rule.enabled}
              first={i === 0}
              last={i === list.length - 1}
              busy={busy}
              onEnable={(enabled) => {
                setSwitching({ ruleId: rule.id, enabled });
                enable.mutate({ ruleId: rule.id, enabled });
              }}
              onMove={(direction) => move.mutate({ ruleId: rule.id, direction })}
              onEdit={() => setEditing(rule.id)}
              onDelete={() => remove.mutate(rule.id)}
            />
          ),
        )}
      </ol>
      {error && (
        <p className="form-error" role="alert" data-testid="rules-error">
          {t(errorKey(error))}
        </p>
      )}
      {editing === "new" ? (
        form(null)
      ) : (
        <button type="button" className="primary" onClick={() => setEditing("new")} data-testid="rule-add">
          {t("rules.add")}
        </button>
      )}
    </section>
  );
}
