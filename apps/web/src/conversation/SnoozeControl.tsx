import { useRef, useState } from "react";
import type { ConversationDetail } from "../api/client";
import { useDismiss } from "../components/useDismiss";
import { useI18n } from "../i18n";
import { SnoozeMenu } from "./SnoozeMenu";

/** The スヌーズ button among a conversation's controls, opening its menu of times. */
export function SnoozeControl(props: { detail: ConversationDetail }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(ref, open, setOpen);
  return (
    <div className="snooze-control" ref={ref}>
      <button
        type="button"
        className="snooze-button"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        data-testid="snooze-button"
      >
        {t("snooze.button")}
      </button>
      {open && <SnoozeMenu conversation={props.detail.conversation} onDone={() => setOpen(false)} />}
    </div>
  );
}
