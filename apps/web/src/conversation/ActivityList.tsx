import type { Activity } from "../api/client";
import { type I18n, type MessageKey, useI18n } from "../i18n";

/** 「請求」、「見積」 / 請求 and 見積: label names as a sentence names them. */
export function labelNames(
  names: string[],
  i18n: Pick<I18n, "t" | "lang">,
  key: MessageKey = "activity.labelName",
): string {
  const quoted = names.map((name) => i18n.t(key, { name }));
  return new Intl.ListFormat(i18n.lang, { type: "conjunction" }).format(quoted);
}

/** What a 自動振り分け rule did (no actor then): 「ルール「請求書」により佐藤に割り当てました」. */
function ruleText(a: Activity, rule: string, i18n: I18n): string | null {
  const { t } = i18n;
  switch (a.kind) {
    case "status_changed":
      return t("activity.ruleStatus", { rule, to: t(`status.${a.to}`) });
    case "assignee_changed":
      return a.to ? t("activity.ruleAssigned", { rule, to: a.to.name }) : null;
    case "labels_changed":
      return a.removed.length === 0
        ? t("activity.ruleLabelsAdded", { rule, added: labelNames(a.added, i18n, "activity.ruleLabelName") })
        : null;
    default:
      return null;
  }
}

/** One line per change: who set 対応済み, who assigned whom, when. */
export function activityText(a: Activity, i18n: I18n): string {
  const { t } = i18n;
  // Rules only assign, add labels and set a status; anything else they logged reads as the system's.
  const rule = "rule" in a ? a.rule : null;
  const byRule = rule ? ruleText(a, rule, i18n) : null;
  if (byRule !== null) return byRule;
  const actor = a.actor?.name ?? t("activity.system");
  switch (a.kind) {
    case "status_changed":
      return t("activity.status_changed", { actor, to: t(`status.${a.to}`) });
    case "assignee_changed":
      return a.to ? t("activity.assigned", { actor, to: a.to.name }) : t("activity.unassigned", { actor });
    case "junk_changed":
      return t(
        a.junk
          ? a.moved
            ? "activity.junkMoved"
            : "activity.junk"
          : a.moved
            ? "activity.notJunkMoved"
            : "activity.notJunk",
        {
          actor,
        },
      );
    case "labels_changed": {
      const added = labelNames(a.added, i18n);
      const removed = labelNames(a.removed, i18n);
      if (a.added.length && a.removed.length) return t("activity.labelsChanged", { actor, added, removed });
      return a.added.length
        ? t("activity.labelsAdded", { actor, added })
        : t("activity.labelsRemoved", { actor, removed });
    }
    case "reply_sent":
      return t(a.override ? "activity.reply_sent_override" : "activity.reply_sent", { actor });
    case "reply_refused":
      return t("activity.reply_refused", { actor });
    case "reply_cancelled":
      return t(a.reason === "customer_wrote" ? "activity.reply_withdrawn" : "activity.reply_cancelled", {
        actor,
      });
    case "snooze_changed":
      // The 保留 and 未対応 that go with it are status_changed lines of their own.
      if (a.until !== null) return t("activity.snoozed", { actor, time: i18n.dates.dayTime(a.until) });
      if (a.reason === "due") return t("activity.snoozeDue");
      if (a.reason === "customer_wrote") return t("activity.snoozeCustomerWrote");
      return t("activity.unsnoozed", { actor });
    case "auto_reply":
      return a.to
        ? t("activity.autoReplySent", { to: a.to })
        : t("activity.autoReplySkipped", { reason: t(`autoReply.reason.${a.skipped ?? "disabled"}`) });
    case "message_added":
      return a.direction === "inbound" ? t("activity.message_in") : t("activity.message_out", { actor });
    default:
      return t(`activity.${a.kind}`, { actor });
  }
}

export function ActivityList(props: { activity: Activity[] }) {
  const i18n = useI18n();
  return (
    <ol className="activity" data-testid="activity">
      {props.activity.map((a) => (
        <li key={a.seq}>
          <time dateTime={a.at}>{i18n.dates.full(a.at)}</time> {activityText(a, i18n)}
        </li>
      ))}
    </ol>
  );
}
