import type { PresenceEntry } from "@madoguchi/api/router";
import type { ConversationRow, Me } from "../api/client";
import { Avatar } from "../components/Avatar";
import { StatusChip } from "../components/StatusChip";
import { useI18n } from "../i18n";
import { LabelChip } from "../labels/LabelChip";
import { presenceOn } from "../realtime/presence";

/**
 * One row: sender, time, subject, labels, snippet, 送信予約 and スヌーズ times, status, assignee,
 * unread, and who is on it now.
 */
export function ConversationListRow(props: {
  row: ConversationRow;
  me: Me;
  presence: readonly PresenceEntry[];
  selected: boolean;
  href: string;
  /** Shown in lists that span inboxes. */
  inboxName?: string;
  /** 一括操作: the row carries a checkbox, and a click ticks it instead of opening the conversation. */
  pick?: { checked: boolean; toggle: () => void };
}) {
  const { t, dates } = useI18n();
  const { row } = props;
  const who = presenceOn(props.presence, row.id, { userId: props.me.id, connectionId: null });
  // The server's reply claim covers agents whose presence has not reached us (or other nodes' clients).
  const claim = row.replyClaim && row.replyClaim.id !== props.me.id ? row.replyClaim.name : null;
  const replying = who.replying && who.replying.userId !== props.me.id ? who.replying.userName : claim;
  const sender = row.sender?.name || row.sender?.address || row.customer.name || row.customer.address || "?";
  return (
    <a
      className={`conv-row${row.unread ? " unread" : ""}${props.selected || props.pick?.checked ? " selected" : ""}`}
      href={props.href}
      aria-current={props.selected ? "true" : undefined}
      data-testid="conversation-row"
      data-conversation-id={row.id}
      onClick={
        props.pick
          ? (e) => {
              e.preventDefault();
              props.pick?.toggle();
            }
          : undefined
      }
    >
      <span className="row-line">
        {props.pick && (
          <input
            type="checkbox"
            className="row-pick"
            checked={props.pick.checked}
            readOnly
            tabIndex={-1}
            aria-label={row.subject || t("list.noSubject")}
            data-testid="row-pick"
          />
        )}
        {row.unread && <span className="dot" title={t("list.unread")} />}
        <span className="sender">{sender}</span>
        {row.messageCount > 1 && <span className="muted small">({row.messageCount})</span>}
        {row.hasAttachments && (
          <span className="clip" role="img" title={t("list.attachment")} aria-label={t("list.attachment")}>
            📎
          </span>
        )}
        <time className="time" dateTime={row.lastMessageAt ?? undefined}>
          {row.lastMessageAt ? dates.short(row.lastMessageAt) : ""}
        </time>
      </span>
      <span className="row-line">
        <span className="subject">{row.subject || t("list.noSubject")}</span>
        {row.labels.length > 0 && (
          <span className="row-labels">
            {row.labels.map((l) => (
              <LabelChip key={l.id} label={l} testId="row-label" />
            ))}
          </span>
        )}
        {props.inboxName && (
          <span className="tag" data-testid="row-inbox">
            {props.inboxName}
          </span>
        )}
      </span>
      <span className="row-line">
        <span className="snippet">{row.snippet}</span>
        {row.scheduledAt && (
          <span className="tag scheduled-tag" data-testid="row-scheduled">
            {t("list.scheduled", { time: dates.short(row.scheduledAt) })}
          </span>
        )}
        {row.snoozedUntil && (
          <span
            className="tag snooze-tag"
            title={t("list.snoozedTitle", { time: dates.full(row.snoozedUntil) })}
            data-testid="row-snoozed"
          >
            {t("list.snoozed", { time: dates.dayTime(row.snoozedUntil) })}
          </span>
        )}
        <StatusChip status={row.status} />
        {row.assignee ? (
          <Avatar id={row.assignee.id} name={row.assignee.name} size={20} />
        ) : (
          <span className="avatar empty" title={t("list.unassigned")} />
        )}
      </span>
      {(replying || who.viewers.length > 0) && (
        <span className="row-line presence-line" data-testid="row-presence">
          {replying
            ? t("list.replying", { name: replying })
            : t("list.viewing", { names: who.viewers.join("、") })}
        </span>
      )}
    </a>
  );
}
