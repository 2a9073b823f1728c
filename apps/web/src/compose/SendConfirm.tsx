import { useState } from "react";
import type { Status } from "../api/client";
import { StatusChip } from "../components/StatusChip";
import { useI18n } from "../i18n";
import { formatRecipient } from "../lib/recipients";
import type { OkCheck, SendStep } from "./useSendStep";

/** The confirmation while the send step holds a good check: a fresh dialog (tick unset) each time. */
export function SendConfirm(props: {
  step: SendStep;
  subject: string;
  undoSeconds: number;
  onConfirm: (c: OkCheck) => void;
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
      onConfirm={() => props.onConfirm(check)}
    />
  );
}

/** The last look before sending: every recipient (external ones marked), warnings, status after. */
function SendConfirmDialog(props: {
  check: OkCheck;
  subject: string;
  statusAfter: Status;
  undoSeconds: number;
  onConfirm: () => void;
  onBack: () => void;
}) {
  const { t } = useI18n();
  const c = props.check;
  const needsTick = c.externalDomains.length > 0 || c.missingAttachment || c.unfilled.length > 0;
  const [ticked, setTicked] = useState(false);
  const [clicked, setClicked] = useState(false);
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
        <div className="dialog-actions">
          <button type="button" onClick={props.onBack}>
            {t("confirm.back")}
          </button>
          <button
            type="button"
            className="primary"
            disabled={(needsTick && !ticked) || clicked}
            onClick={() => {
              setClicked(true);
              props.onConfirm();
            }}
            data-testid="confirm-send"
          >
            {t("confirm.send")}
            {props.undoSeconds > 0 ? ` (${props.undoSeconds}s)` : ""}
          </button>
        </div>
      </div>
    </div>
  );
}
