import { useRef, useState } from "react";
import type { ConversationDetail, LabelRef } from "../api/client";
import { useDismiss } from "../components/useDismiss";
import { useI18n } from "../i18n";
import { LabelChip } from "./LabelChip";
import { LabelPicker } from "./LabelPicker";
import { useLabels } from "./useLabels";

/** A conversation's labels under its subject, and the ラベル button opening the picker. */
export function LabelControl(props: { detail: ConversationDetail }) {
  const { t } = useI18n();
  const c = props.detail.conversation;
  const [open, setOpen] = useState(false);
  // Each chip as the inbox's labels have it now: a rename or recolour (here or by a teammate, which
  // refetches them) shows before the conversation itself is fetched again.
  const labels = useLabels(c.inboxId);
  const latest = (l: LabelRef) => labels.data?.labels.find((x) => x.id === l.id) ?? l;
  const ref = useRef<HTMLDivElement>(null);

  // The picker closes on a click or tap outside it, and on Escape.
  useDismiss(ref, open, setOpen);

  return (
    <div className="label-bar" ref={ref}>
      {c.labels.map((l) => (
        <LabelChip key={l.id} label={latest(l)} testId="label-chip" />
      ))}
      <button
        type="button"
        className="small label-button"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        data-testid="label-button"
      >
        {t("labels.button")}
      </button>
      {open && <LabelPicker conversationId={c.id} inboxId={c.inboxId} current={c.labels} />}
    </div>
  );
}
