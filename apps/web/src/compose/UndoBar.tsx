import { useEffect, useRef, useState } from "react";
import { isScheduled } from "../api/constants";
import { useI18n } from "../i18n";

/**
 * The countdown of the server's undo window with its 取り消す button; at zero the send belongs
 * to the delivery workers (onElapsed, once).
 */
export function UndoBar(props: {
  sendAt: number;
  cancelling?: boolean;
  onCancel: () => void;
  onElapsed?: () => void;
}) {
  const { t, dates } = useI18n();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.ceil((props.sendAt - now) / 1000));
  // A 送信予約 (or a long undo window): the time it goes, not a countdown.
  const scheduled = isScheduled(props.sendAt, now);
  const fired = useRef(false);
  const { onElapsed } = props;
  useEffect(() => {
    if (seconds > 0 || fired.current || !onElapsed) return;
    fired.current = true;
    onElapsed();
  }, [seconds, onElapsed]);
  return (
    <div className="undo-bar" role="status" data-testid="undo-bar">
      <span>
        {seconds === 0
          ? t("undo.sendingNow")
          : scheduled
            ? t("undo.scheduled", { time: dates.full(new Date(props.sendAt)) })
            : t("undo.sending", { seconds })}
      </span>
      {seconds > 0 && (
        <button
          type="button"
          className="primary"
          disabled={props.cancelling}
          onClick={props.onCancel}
          data-testid="undo-send"
        >
          {scheduled ? t("undo.cancelSchedule") : t("undo.cancel")}
        </button>
      )}
    </div>
  );
}
