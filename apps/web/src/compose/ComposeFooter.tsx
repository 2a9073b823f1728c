import type { ReactNode } from "react";
import type { Status } from "../api/client";
import { StatusOptions } from "../components/StatusOptions";
import { useI18n } from "../i18n";
import type { SendStep } from "./useSendStep";

/**
 * The bottom of a compose form: the send step's error, the status the conversation gets,
 * 破棄, any extra buttons (`children`, e.g. 閉じる) and 送信 (a submit button).
 */
export function ComposeFooter(props: {
  step: SendStep;
  onDiscard: () => void;
  discardDisabled?: boolean;
  sendDisabled?: boolean;
  sendTestId: string;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  const { error, statusAfter, setStatusAfter } = props.step;
  return (
    <>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="compose-actions">
        <label className="status-after">
          {t("compose.statusAfter")}
          <select value={statusAfter} onChange={(e) => setStatusAfter(e.target.value as Status)}>
            <StatusOptions />
          </select>
        </label>
        <button type="button" className="danger" onClick={props.onDiscard} disabled={props.discardDisabled}>
          {t("compose.discard")}
        </button>
        {props.children}
        <button
          type="submit"
          className="primary"
          disabled={props.sendDisabled}
          data-testid={props.sendTestId}
        >
          {t("compose.send")}
        </button>
      </div>
    </>
  );
}
