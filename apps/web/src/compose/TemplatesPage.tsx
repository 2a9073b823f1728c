import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { ErrorBox } from "../components/ErrorBox";
import { useI18n } from "../i18n";
import { unknownPlaceholders } from "../lib/placeholders";
import { hrefInbox } from "../lib/route";

/** An inbox's reply templates, managed by its members; placeholders are filled when inserted. */
export function TemplatesPage(props: { inboxId: number }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: keys.templates(props.inboxId),
    queryFn: () => trpc.template.list.query({ inboxId: props.inboxId }),
  });
  const empty = { id: 0, name: "", subject: "", body: "" };
  const [form, setForm] = useState(empty);
  const refresh = () => void qc.invalidateQueries({ queryKey: keys.templates(props.inboxId) });
  const save = useMutation({
    mutationFn: () => {
      const fields = { name: form.name.trim(), subject: form.subject.trim() || null, body: form.body };
      return form.id
        ? trpc.template.update.mutate({ templateId: form.id, ...fields })
        : trpc.template.create.mutate({ inboxId: props.inboxId, ...fields });
    },
    onSuccess: () => {
      setForm(empty);
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (templateId: number) => trpc.template.delete.mutate({ templateId }),
    onSuccess: refresh,
  });
  if (q.isPending) return <p className="muted pad">{t("app.loading")}</p>;
  if (q.isError) return <ErrorBox error={q.error} onRetry={() => void q.refetch()} />;
  const known = q.data.placeholders;
  const unknown = unknownPlaceholders(`${form.subject}\n${form.body}`, known);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <section className="page">
      <a className="back" href={hrefInbox(props.inboxId)}>
        ← {t("conv.back")}
      </a>
      <h1 className="page-title">{t("templates.title")}</h1>
      <ul className="admin-list">
        {q.data.templates.map((tpl) => (
          <li key={tpl.id}>
            <span className="grow">
              <strong>{tpl.name}</strong>
              <span className="muted small snippet-block">{tpl.body.slice(0, 80)}</span>
            </span>
            <button
              type="button"
              onClick={() =>
                setForm({ id: tpl.id, name: tpl.name, subject: tpl.subject ?? "", body: tpl.body })
              }
            >
              {t("chat.edit")}
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => {
                if (window.confirm(t("templates.deleteConfirm"))) remove.mutate(tpl.id);
              }}
            >
              {t("chat.delete")}
            </button>
          </li>
        ))}
      </ul>
      <form className="card form" onSubmit={submit}>
        <h2>{form.id ? t("templates.edit") : t("templates.new")}</h2>
        <label>
          {t("admin.name")}
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        </label>
        <label>
          {t("compose.subject")}
          <input value={form.subject} onChange={(e) => setForm({ ...form, subject: e.target.value })} />
        </label>
        <label>
          {t("compose.body")}
          <textarea rows={8} value={form.body} onChange={(e) => setForm({ ...form, body: e.target.value })} />
        </label>
        <p className="muted small">
          {t("templates.placeholders")} {known.map((p) => `{{${p}}}`).join(" ")}
        </p>
        {unknown.length > 0 && (
          <p className="banner warn">
            {t("templates.unknown", { list: unknown.map((p) => `{{${p}}}`).join(", ") })}
          </p>
        )}
        {(save.error ?? remove.error) && (
          <p className="form-error">{t(errorKey(save.error ?? remove.error))}</p>
        )}
        <div className="inline">
          <button type="submit" className="primary" disabled={save.isPending || !form.name.trim()}>
            {t("settings.save")}
          </button>
          {form.id > 0 && (
            <button type="button" onClick={() => setForm(empty)}>
              {t("chat.cancel")}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
