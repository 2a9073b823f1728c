import type { Outputs } from "../api/client";
import { useI18n } from "../i18n";

/** An inbox's 自動返信 setting, as the server keeps it (InboxSettings.autoReply). */
export type AutoReplyValue = NonNullable<
  Outputs["admin"]["inboxes"]["list"][number]["settings"]["autoReply"]
>;

/** What 営業時間外のみ starts from: a Japanese company's week, 祝日 off. */
const OFFICE_HOURS = {
  days: [1, 2, 3, 4, 5],
  start: "09:00",
  end: "18:00",
  timeZone: "Asia/Tokyo",
  holidaysOff: true,
};
/** Monday first, as Japanese calendars at work show the week. */
const WEEK = [1, 2, 3, 4, 5, 6, 0];

/** 自動返信 in an inbox's settings: on or off, its subject and text, and optionally the hours it keeps quiet. */
export function AutoReplyFields(props: { value: AutoReplyValue; onChange(value: AutoReplyValue): void }) {
  const { t } = useI18n();
  const { value, onChange } = props;
  const hours = value.outsideHours;
  const setHours = (patch: Partial<NonNullable<AutoReplyValue["outsideHours"]>>) =>
    onChange({ ...value, outsideHours: { ...(hours ?? OFFICE_HOURS), ...patch } });
  const closed = hours?.closed ?? [];
  const setClosed = (index: number, patch: Partial<{ from: string; to: string }> | null) =>
    setHours({
      closed: patch
        ? closed.map((c, i) => (i === index ? { ...c, ...patch } : c))
        : closed.filter((_, i) => i !== index),
    });
  const toggleDay = (day: number, on: boolean) =>
    setHours({
      days: (hours?.days ?? [])
        .filter((d) => d !== day)
        .concat(on ? [day] : [])
        .sort(),
    });
  return (
    <fieldset className="auto-reply" data-testid="auto-reply-settings">
      <legend>{t("admin.autoReply")}</legend>
      <p className="muted small">{t("admin.autoReplyHint")}</p>
      <label className="inline">
        <input
          type="checkbox"
          checked={value.enabled}
          onChange={(e) => onChange({ ...value, enabled: e.target.checked })}
        />
        {t("admin.autoReplyEnabled")}
      </label>
      <label>
        {t("admin.autoReplySubject")}
        <input
          value={value.subject}
          maxLength={500}
          placeholder={t("admin.autoReplySubjectPlaceholder")}
          onChange={(e) => onChange({ ...value, subject: e.target.value })}
        />
      </label>
      <label>
        {t("admin.autoReplyBody")}
        <textarea
          rows={5}
          value={value.body}
          placeholder={t("admin.autoReplyBodyPlaceholder")}
          onChange={(e) => onChange({ ...value, body: e.target.value })}
        />
      </label>
      <label className="inline">
        <input
          type="checkbox"
          checked={hours !== undefined}
          onChange={(e) => onChange({ ...value, outsideHours: e.target.checked ? OFFICE_HOURS : undefined })}
        />
        {t("admin.autoReplyOutsideHours")}
      </label>
      {hours && (
        <div className="business-hours" data-testid="business-hours">
          <fieldset className="inline weekdays">
            <legend>{t("admin.autoReplyDays")}</legend>
            {WEEK.map((day) => (
              <label key={day} className="inline">
                <input
                  type="checkbox"
                  checked={hours.days.includes(day)}
                  onChange={(e) => toggleDay(day, e.target.checked)}
                />
                {t(`weekday.${day}` as "weekday.0")}
              </label>
            ))}
          </fieldset>
          <div className="inline">
            <label className="inline">
              {t("admin.autoReplyStart")}
              <input type="time" value={hours.start} onChange={(e) => setHours({ start: e.target.value })} />
            </label>
            <label className="inline">
              {t("admin.autoReplyEnd")}
              <input type="time" value={hours.end} onChange={(e) => setHours({ end: e.target.value })} />
            </label>
          </div>
          <label className="inline">
            <input
              type="checkbox"
              checked={hours.holidaysOff ?? false}
              onChange={(e) => setHours({ holidaysOff: e.target.checked })}
            />
            {t("admin.autoReplyHolidaysOff")}
          </label>
          <fieldset className="closed-days" data-testid="closed-days">
            <legend>{t("admin.autoReplyClosed")}</legend>
            {closed.map((c, i) => (
              // Periods have no identity but their place in the list.
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, never reordered
              <div key={i} className="inline">
                <input
                  type="date"
                  value={c.from}
                  aria-label={t("admin.autoReplyClosedFrom")}
                  onChange={(e) => setClosed(i, { from: e.target.value })}
                />
                〜
                <input
                  type="date"
                  value={c.to}
                  aria-label={t("admin.autoReplyClosedTo")}
                  onChange={(e) => setClosed(i, { to: e.target.value })}
                />
                <button type="button" className="small" onClick={() => setClosed(i, null)}>
                  {t("admin.remove")}
                </button>
              </div>
            ))}
            <button
              type="button"
              className="small"
              onClick={() => setHours({ closed: [...closed, { from: "", to: "" }] })}
            >
              {t("admin.autoReplyAddClosed")}
            </button>
          </fieldset>
          <p className="muted small">{t("admin.autoReplyZone", { zone: hours.timeZone })}</p>
        </div>
      )}
    </fieldset>
  );
}
