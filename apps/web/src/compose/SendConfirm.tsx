import { useState } from "react";
import type { Status } from "../api/client";
import { StatusChip } from "../components/StatusChip";
import { useI18n } from "../i18n";
import { formatRecipient } from "../lib/recipients";
import { localInputValue, nextWorkingMorning } from "../lib/time-presets";
import type { OkCheck, SendStep } from "./useSendStep";

/** The confirmation while the send step holds a good check: a fresh dialog (tick unset) each time. */
export function SendConfirm(props: {
  step: SendStep;
  subject: string;
  undoSeconds: number;
  /** sendAt: the 送信予約 time (ISO), or undefined to send now (after the undo window). */
  onConfirm: (c: OkCheck, sendAt: string | undefined) => void;
}) {
  const { check, statusAfter, close } = props.step;
  if (!check) return null;
  return (
    <SendConfirmDialog
      check={check}
      subject={props.subject}
      statusAfter={statusAfter}
      undoSeconds={props.undoSeconds}
      onBack={close}
      onConfirm={(sendAt) => props.onConfirm(check, sendAt)}
    />
  );
}

/** The last look before sending: every recipient (external ones marked), warnings, status after. */
function SendConfirmDialog(props: {
  check: OkCheck;
  subject: string;
  statusAfter: Status;
  undoSeconds: number;
  onConfirm: (sendAt: string | undefined) => void;
  onBack: () => void;
}) {
  const { t } = useI18n();
  const c = props.check;
  const needsTick = c.externalDomains.length > 0 || c.missingAttachment || c.unfilled.length > 0;
  const [ticked, setTicked] = useState(false);
  const [clicked, setClicked] = useState(false);
  const [schedule, setSchedule] = useState(false);
  // Offered first: 9:00 on the next weekday, when the customer's office opens.
  const [when, setWhen] = useState(() => localInputValue(nextWorkingMorning()));
  const whenOk = !schedule || (when !== "" && new Date(when).getTime() > Date.now());
  return (
    <div className="dialog-backdrop">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        data-testid="send-confirm"
      >
        <h2 id="confirm-title">{t("confirm.title")}</h2>
        <p className="muted">{t("confirm.recipients", { count: c.recipients.length })}</p>
        <ul className="recipient-list">
          {c.recipients.map((r) => (
            <li
              key={`${r.field}:${r.address}`}
              className={r.external ? "external" : undefined}
              data-testid="confirm-recipient"
            >
              <span className="field">{r.field.toUpperCase()}</span>
              <span className="addr">{formatRecipient(r)}</span>
              {r.external && <span className="tag external-tag">{t("confirm.external")}</span>}
            </li>
          ))}
        </ul>
        {c.externalDomains.length > 0 && (
          <p className="banner warn">
            {t("confirm.externalSummary", { domains: c.externalDomains.join(", ") })}
          </p>
        )}
        {c.missingAttachment && (
          <p className="banner warn" data-testid="attachment-warning">
            {t("confirm.attachmentWarning")}
          </p>
        )}
        {c.unfilled.length > 0 && (
          <p className="banner warn">
            {t("confirm.placeholderWarning", { list: c.unfilled.map((p) => `{{${p}}}`).join(", ") })}
          </p>
        )}
        <dl className="confirm-meta">
          <dt>{t("confirm.subject")}</dt>
          <dd>{props.subject}</dd>
          <dt>{t("confirm.statusAfter")}</dt>
          <dd>
            <StatusChip status={props.statusAfter} />
          </dd>
        </dl>
        {needsTick && (
          <label className="check">
            <input type="checkbox" checked={ticked} onChange={(e) => setTicked(e.target.checked)} />
            {t("confirm.check")}
          </label>
        )}
        {schedule ? (
          <p className="schedule-line">
            <label>
              {t("confirm.scheduleAt")}{" "}
              <input
                type="datetime-local"
                value={when}
                min={localInputValue(new Date())}
                onChange={(e) => setWhen(e.target.value)}
                data-testid="schedule-at"
              />
            </label>{" "}
            <button type="button" className="link" onClick={() => setSchedule(false)}>
              {t("confirm.sendNow")}
            </button>
          </p>
        ) : (
          <button
            type="button"
            className="link"
            onClick={() => setSchedule(true)}
            data-testid="schedule-toggle"
          >
            {t("confirm.schedule")}
          </button>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={props.onBack}>
            {t("confirm.back")}
          </button>
          <button
            type="button"
            className="primary"
            disabled={(needsTick && !ticked) || clicked || !whenOk}
            onClick={() => {
              setClicked(true);
              props.onConfirm(schedule ? new Date(when).toISOString() : undefined);
            }}
            data-testid="confirm-send"
          >
            {schedule ? t("confirm.scheduleSend") : t("confirm.send")}
            {!schedule && props.undoSeconds > 0 ? ` (${props.undoSeconds}s)` : ""}
          </button>
        </div>
      </div>
    </div>
  );
}
