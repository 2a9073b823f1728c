import type { Activity } from "../api/client";
import { type I18n, useI18n } from "../i18n";

/** One line per change: who set 対応済み, who assigned whom, when. */
export function activityText(a: Activity, t: I18n["t"]): string {
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
    case "reply_sent":
      return t(a.override ? "activity.reply_sent_override" : "activity.reply_sent", { actor });
    case "reply_refused":
      return t("activity.reply_refused", { actor });
    case "message_added":
      return a.direction === "inbound" ? t("activity.message_in") : t("activity.message_out", { actor });
    default:
      return t(`activity.${a.kind}`, { actor });
  }
}

export function ActivityList(props: { activity: Activity[] }) {
  const { t, dates } = useI18n();
  return (
    <ol className="activity" data-testid="activity">
      {props.activity.map((a) => (
        <li key={a.seq}>
          <time dateTime={a.at}>{dates.full(a.at)}</time> {activityText(a, t)}
        </li>
      ))}
    </ol>
  );
}
