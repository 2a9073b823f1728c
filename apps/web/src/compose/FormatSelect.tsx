import { useI18n } from "../i18n";

export type BodyFormat = "plain" | "markdown";

/** Plain text or Markdown (sent with an HTML part) for the body. */
export function FormatSelect(props: {
  value: BodyFormat;
  onChange: (f: BodyFormat) => void;
  testId?: string;
}) {
  const { t } = useI18n();
  return (
    <select
      aria-label={t("compose.format")}
      data-testid={props.testId}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value === "markdown" ? "markdown" : "plain")}
    >
      <option value="plain">{t("compose.plain")}</option>
      <option value="markdown">{t("compose.markdown")}</option>
    </select>
  );
}
