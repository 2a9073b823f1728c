import { type FormEvent, useState } from "react";
import { errorKey } from "../api/errors";
import { type MessageKey, useI18n } from "../i18n";
import {
  hoursAfter,
  localInputValue,
  morningAfter,
  nextMondayMorning,
  nextWorkingMorning,
} from "../lib/time-presets";
import { useSnooze } from "./useSnooze";

/** The times offered, worked out when chosen (the menu may stay open a while). */
const PRESETS: { key: MessageKey; id: string; at: () => Date }[] = [
  { key: "snooze.in3Hours", id: "in3Hours", at: () => hoursAfter(3) },
  { key: "snooze.tomorrow", id: "tomorrow", at: () => morningAfter(1) },
  { key: "snooze.nextMonday", id: "nextMonday", at: () => nextMondayMorning() },
];

/** The スヌーズ popover: a few usual times, or one chosen; closes once the server took it. */
export function SnoozeMenu(props: { conversation: { id: number; inboxId: number }; onDone: () => void }) {
  const { t, dates } = useI18n();
  const snooze = useSnooze(props.conversation);
  const [custom, setCustom] = useState(false);
  const [when, setWhen] = useState(() => localInputValue(nextWorkingMorning()));
  const choose = (at: Date) => snooze.mutate(at.toISOString(), { onSuccess: props.onDone });
  // No client-side check of the time: the server's refusal (in the past, too far ahead) says why.
  const onCustom = (e: FormEvent) => {
    e.preventDefault();
    if (when) choose(new Date(when));
  };
  return (
    <div className="snooze-menu" data-testid="snooze-menu">
      {PRESETS.map((p) => (
        <button
          key={p.id}
          type="button"
          className="snooze-option"
          disabled={snooze.isPending}
          onClick={() => choose(p.at())}
          data-testid={`snooze-${p.id}`}
        >
          <span>{t(p.key)}</span>
          <span className="muted small">{dates.dayTime(p.at())}</span>
        </button>
      ))}
      {custom ? (
        <form className="snooze-custom" noValidate onSubmit={onCustom}>
          <input
            type="datetime-local"
            value={when}
            min={localInputValue(new Date())}
            aria-label={t("snooze.at")}
            onChange={(e) => setWhen(e.target.value)}
            data-testid="snooze-at"
          />
          <button
            type="submit"
            className="primary"
            disabled={!when || snooze.isPending}
            data-testid="snooze-submit"
          >
            {t("snooze.submit")}
          </button>
        </form>
      ) : (
        <button
          type="button"
          className="snooze-option"
          onClick={() => setCustom(true)}
          data-testid="snooze-custom"
        >
          {t("snooze.custom")}
        </button>
      )}
      {snooze.isError && (
        <p className="form-error" role="alert" data-testid="snooze-error">
          {t(errorKey(snooze.error))}
        </p>
      )}
    </div>
  );
}
