import type { Label, Member, Rule } from "../api/client";
import { labelNames } from "../conversation/ActivityList";
import type { I18n } from "../i18n";

export type RuleField = Rule["conditions"][number]["field"];
export type RuleStatus = NonNullable<Rule["actions"]["status"]>;

export const RULE_FIELDS: readonly RuleField[] = ["from", "to", "subject", "body"];
export const RULE_STATUSES: readonly RuleStatus[] = ["in_progress", "waiting", "done"];

/**
 * A rule in one line: 「差出人に「@bigclient.co.jp」を含む かつ 件名に「請求」を含む → 佐藤に割り当て・
 * ラベル「請求」・対応中」. Names come from the inbox's members and labels as they are now.
 */
export function ruleSummary(
  rule: Pick<Rule, "conditions" | "actions">,
  inbox: { members: Member[]; labels: Label[] },
  i18n: Pick<I18n, "t" | "lang">,
): string {
  const { t } = i18n;
  const conditions = rule.conditions
    .map((c) => t("rules.summary.condition", { field: t(`rules.field.${c.field}`), value: c.value }))
    .join(t("rules.summary.and"));
  const { assigneeId, labelIds, status } = rule.actions;
  const actions: string[] = [];
  if (assigneeId !== null) {
    const name = inbox.members.find((m) => m.userId === assigneeId)?.name ?? t("rules.unknownMember");
    actions.push(t("rules.summary.assign", { name }));
  }
  // A label deleted since is gone from the rule's effect too.
  const names = inbox.labels.filter((l) => labelIds.includes(l.id)).map((l) => l.name);
  if (names.length > 0)
    actions.push(t("rules.summary.labels", { names: labelNames(names, i18n, "rules.summary.labelName") }));
  if (status !== null) actions.push(t("rules.summary.status", { status: t(`status.${status}`) }));
  return t("rules.summary", { conditions, actions: actions.join(t("rules.summary.separator")) });
}
