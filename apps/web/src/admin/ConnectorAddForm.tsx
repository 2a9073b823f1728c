import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type Inputs, trpc } from "../api/client";
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
  importSince: "",
};
type Form = typeof EMPTY;

/** The settings as the router takes them: SMTP only when a host is given, blanks as absent. */
function addInput(f: Form): Inputs["connector"]["add"] {
  const smtp = f.smtpHost.trim()
    ? {
        smtpHost: f.smtpHost.trim(),
        smtpPort: Number(f.smtpPort),
        smtpTls: f.smtpTls,
        smtpUser: f.smtpUser.trim() || f.imapUser.trim(),
        smtpPassword: f.smtpPassword || f.imapPassword,
      }
    : {};
  const folders = f.folders
    .split("\n")
    .map((x) => x.trim())
    .filter(Boolean);
  return {
    inboxAddress: f.inboxAddress,
    imapHost: f.imapHost.trim(),
    imapPort: Number(f.imapPort),
    imapTls: f.imapTls,
    imapUser: f.imapUser.trim(),
    imapPassword: f.imapPassword,
    ...smtp,
    folders: folders.length ? folders : ["INBOX"],
    importSince: f.importSince || null,
  };
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
  const field = (name: keyof Form) => ({
    name,
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });
  /** Host, port, TLS mode, user and password of one service; only IMAP's are required. */
  const serverFields = (service: "imap" | "smtp") => {
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
            required={required}
            autoComplete="new-password"
          />
        </label>
      </fieldset>
    );
  };
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
        {serverFields("imap")}
        {serverFields("smtp")}
        <p className="muted small">{t("connector.passwordNote")}</p>
        <label>
          {t("connector.folders")}
          <textarea {...field("folders")} rows={2} />
        </label>
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
