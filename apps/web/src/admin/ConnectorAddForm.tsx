import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type Inputs, type Outputs, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";

type Tls = Inputs["connector"]["add"]["imapTls"];
const TLS_MODES: readonly Tls[] = ["tls", "starttls", "none"];

const EMPTY = {
  inboxAddress: "",
  imapHost: "",
  imapPort: "993",
  imapTls: "tls" as Tls,
  imapUser: "",
  imapPassword: "",
  smtpHost: "",
  smtpPort: "587",
  smtpTls: "starttls" as Tls,
  smtpUser: "",
  smtpPassword: "",
  folders: "INBOX",
  sentFolder: "",
  allowInvalidCert: false,
  importSince: "",
};
type Form = typeof EMPTY;
/** The form's text fields, the ones bound to an input's value. */
type TextField = { [K in keyof Form]: Form[K] extends string ? K : never }[keyof Form];
type Connector = Outputs["connector"]["list"][number];

function folderList(text: string): string[] {
  const folders = text
    .split("\n")
    .map((x) => x.trim())
    .filter(Boolean);
  return folders.length ? folders : ["INBOX"];
}

/** SMTP's settings but its password; the IMAP user stands in for a blank SMTP user. */
const smtpOf = (f: Form) => ({
  smtpHost: f.smtpHost.trim(),
  smtpPort: Number(f.smtpPort),
  smtpTls: f.smtpTls,
  smtpUser: f.smtpUser.trim() || f.imapUser.trim(),
});

/** The settings as the router takes them: SMTP only when a host is given, blanks as absent. */
function addInput(f: Form): Inputs["connector"]["add"] {
  const smtp = f.smtpHost.trim() ? { ...smtpOf(f), smtpPassword: f.smtpPassword || f.imapPassword } : {};
  return {
    inboxAddress: f.inboxAddress,
    imapHost: f.imapHost.trim(),
    imapPort: Number(f.imapPort),
    imapTls: f.imapTls,
    imapUser: f.imapUser.trim(),
    imapPassword: f.imapPassword,
    ...smtp,
    folders: folderList(f.folders),
    sentFolder: f.sentFolder.trim() || null,
    allowInvalidCert: f.allowInvalidCert,
    importSince: f.importSince || null,
  };
}

/** A listed connector as the form shows it; the passwords stay blank, meaning unchanged. */
function formOf(c: Connector): Form {
  return {
    ...EMPTY,
    inboxAddress: c.inboxAddress,
    imapHost: c.imapHost,
    imapPort: String(c.imapPort),
    imapTls: c.imapTls,
    imapUser: c.imapUser,
    smtpHost: c.smtpHost ?? "",
    smtpPort: String(c.smtpPort ?? EMPTY.smtpPort),
    smtpTls: c.smtpTls ?? EMPTY.smtpTls,
    smtpUser: c.smtpUser ?? "",
    folders: c.folders.join("\n"),
    sentFolder: c.sentFolder ?? "",
    allowInvalidCert: c.allowInvalidCert,
  };
}

/** A password only when one was typed; a blank SMTP host removes SMTP. */
function updateInput(accountId: number, f: Form): Inputs["connector"]["update"] {
  const smtpPassword = f.smtpPassword ? { smtpPassword: f.smtpPassword } : {};
  const smtp = f.smtpHost.trim() ? { ...smtpOf(f), ...smtpPassword } : { smtpHost: null };
  return {
    accountId,
    imapHost: f.imapHost.trim(),
    imapPort: Number(f.imapPort),
    imapTls: f.imapTls,
    imapUser: f.imapUser.trim(),
    ...(f.imapPassword ? { imapPassword: f.imapPassword } : {}),
    ...smtp,
    folders: folderList(f.folders),
    sentFolder: f.sentFolder.trim() || null,
    allowInvalidCert: f.allowInvalidCert,
  };
}

interface FieldsProps {
  form: Form;
  setForm: (f: Form) => void;
  /** Editing a stored connector: a blank password keeps the stored one. */
  editing?: boolean;
}

const bind = (props: FieldsProps) => (name: TextField) => ({
  name,
  value: props.form[name],
  onChange: (e: { target: { value: string } }) => props.setForm({ ...props.form, [name]: e.target.value }),
});

/** Host, port, TLS mode, user and password of one service; only IMAP's are required. */
function ServerFields(props: FieldsProps & { service: "imap" | "smtp" }) {
  const { t } = useI18n();
  const { service, editing } = props;
  const field = bind(props);
  const required = service === "imap";
  return (
    <fieldset className="form">
      <legend>{t(`connector.${service}`)}</legend>
      <label>
        {t("connector.host")}
        <input
          {...field(`${service}Host`)}
          placeholder={`${service}.example.com`}
          required={required}
          autoComplete="off"
        />
      </label>
      <div className="connector-pair">
        <label>
          {t("connector.port")}
          <input {...field(`${service}Port`)} type="number" min={1} max={65535} required={required} />
        </label>
        <label>
          {t("connector.tls")}
          <select {...field(`${service}Tls`)}>
            {TLS_MODES.map((m) => (
              <option key={m} value={m}>
                {t(`connector.tls.${m}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label>
        {t("connector.user")}
        <input {...field(`${service}User`)} required={required} autoComplete="off" />
      </label>
      <label>
        {t("connector.password")}
        <input
          {...field(`${service}Password`)}
          type="password"
          required={required && !editing}
          placeholder={editing ? t("connector.passwordUnchanged") : undefined}
          autoComplete="new-password"
        />
      </label>
    </fieldset>
  );
}

/** What adding and editing share: both servers, the password note, the folders. */
function SettingsFields(props: FieldsProps) {
  const { t } = useI18n();
  return (
    <>
      <ServerFields {...props} service="imap" />
      <ServerFields {...props} service="smtp" />
      <p className="muted small">{t(props.editing ? "connector.passwordKeep" : "connector.passwordNote")}</p>
      <label>
        {t("connector.folders")}
        <textarea {...bind(props)("folders")} rows={2} />
      </label>
      <label>
        {t("connector.sentFolder")}
        <input {...bind(props)("sentFolder")} placeholder="Sent" autoComplete="off" />
      </label>
      <p className="muted small">{t("connector.sentFolderHelp")}</p>
      <label className="check">
        <input
          type="checkbox"
          name="allowInvalidCert"
          checked={props.form.allowInvalidCert}
          onChange={(e) => props.setForm({ ...props.form, allowInvalidCert: e.target.checked })}
        />
        {t("connector.allowInvalidCert")}
      </label>
      <p className={props.form.allowInvalidCert ? "form-error small" : "muted small"}>
        {t("connector.allowInvalidCertWarning")}
      </p>
    </>
  );
}

/** Connects an external mailbox to a shared inbox; passwords go to the server and are never shown back. */
export function ConnectorAddForm() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [form, setForm] = useState(EMPTY);
  const inboxes = useQuery({
    queryKey: [...keys.admin, "inboxes"],
    queryFn: () => trpc.admin.inboxes.list.query(),
  });
  const add = useMutation({
    mutationFn: () => trpc.connector.add.mutate(addInput(form)),
    onSuccess: () => {
      setForm(EMPTY);
      void qc.invalidateQueries({ queryKey: [...keys.admin, "connectors"] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const field = bind({ form, setForm });
  return (
    <details className="card connector-add">
      <summary>
        <strong>{t("connector.add")}</strong>
      </summary>
      <form className="form" onSubmit={submit} data-testid="connector-add-form">
        <label>
          {t("connector.inbox")}
          <select {...field("inboxAddress")} required>
            <option value="">{t("connector.chooseInbox")}</option>
            {inboxes.data?.map((i) => (
              <option key={i.id} value={i.address}>
                {i.name} ({i.address})
              </option>
            ))}
          </select>
        </label>
        <SettingsFields form={form} setForm={setForm} />
        <label>
          {t("connector.since")}
          <input {...field("importSince")} type="date" />
        </label>
        {add.error && <p className="form-error">{t(errorKey(add.error))}</p>}
        {add.isSuccess && <p className="ok">{t("connector.added")}</p>}
        <button type="submit" className="primary" disabled={add.isPending}>
          {t("connector.submit")}
        </button>
      </form>
    </details>
  );
}

/** Changes a listed connector's servers, users and folders; the workers pick the change up. */
export function ConnectorEditForm(props: { connector: Connector; onClose: () => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [form, setForm] = useState(() => formOf(props.connector));
  const save = useMutation({
    mutationFn: () => trpc.connector.update.mutate(updateInput(props.connector.id, form)),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: [...keys.admin, "connectors"] });
      props.onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="form" onSubmit={submit} data-testid="connector-edit-form">
      <SettingsFields form={form} setForm={setForm} editing />
      {save.error && <p className="form-error">{t(errorKey(save.error))}</p>}
      <div className="inline">
        <button type="submit" className="primary" disabled={save.isPending}>
          {t("connector.save")}
        </button>
        <button type="button" onClick={props.onClose}>
          {t("connector.cancel")}
        </button>
      </div>
    </form>
  );
}
