import type { ReactNode } from "react";
import { useI18n } from "../i18n";
import type { ComposeFields } from "./send-checks";

/**
 * 宛先, CC, BCC and 件名. A reply keeps CC/BCC behind a button (`ccHidden`) until asked for;
 * `testIds` name the inputs the tests drive.
 */
export function AddressFields(props: {
  fields: ComposeFields;
  onChange: (patch: Partial<ComposeFields>) => void;
  testIds: { to: string; bcc?: string; subject?: string };
  ccHidden?: boolean;
  onShowCc?: () => void;
}) {
  const { t } = useI18n();
  const { fields, onChange, testIds } = props;
  const row = (name: "cc" | "bcc" | "subject", testId?: string) => (
    <TextFieldRow
      label={t(`compose.${name}`)}
      value={fields[name]}
      onChange={(value) => onChange({ [name]: value })}
      testId={testId}
    />
  );
  return (
    <>
      <TextFieldRow
        label={t("compose.to")}
        value={fields.to}
        onChange={(to) => onChange({ to })}
        testId={testIds.to}
      >
        {props.ccHidden && (
          <button type="button" className="link" onClick={props.onShowCc}>
            {t("compose.showCcBcc")}
          </button>
        )}
      </TextFieldRow>
      {!props.ccHidden && (
        <>
          {row("cc")}
          {row("bcc", testIds.bcc)}
        </>
      )}
      {row("subject", testIds.subject)}
    </>
  );
}

/** One labelled line of the form; `children` follow the input. */
function TextFieldRow(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId?: string | undefined;
  children?: ReactNode;
}) {
  return (
    <label className="field-row">
      <span>{props.label}</span>
      <input
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.testId}
      />
      {props.children}
    </label>
  );
}
