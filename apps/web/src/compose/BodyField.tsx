import type { Ref } from "react";
import { useI18n } from "../i18n";

/** The message body: a plain textarea (Markdown is rendered only when sent). */
export function BodyField(props: {
  value: string;
  onChange: (body: string) => void;
  rows: number;
  testId: string;
  textareaRef?: Ref<HTMLTextAreaElement>;
}) {
  const { t } = useI18n();
  return (
    <textarea
      ref={props.textareaRef}
      className="compose-body"
      aria-label={t("compose.body")}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      rows={props.rows}
      data-testid={props.testId}
    />
  );
}
