import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type Outputs, type Status, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { StatusOptions } from "../components/StatusOptions";
import { useI18n } from "../i18n";
import { AutoReplyFields, type AutoReplyValue } from "./AutoReplyFields";

type AdminInbox = Outputs["admin"]["inboxes"]["list"][number];
type AdminUser = Outputs["admin"]["users"]["list"][number];

export function AdminInboxes() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const inboxes = useQuery({
    queryKey: [...keys.admin, "inboxes"],
    queryFn: () => trpc.admin.inboxes.list.query(),
  });
  const users = useQuery({
    queryKey: [...keys.admin, "users"],
    queryFn: () => trpc.admin.users.list.query(),
  });
  const [form, setForm] = useState({ address: "", name: "" });
  const create = useMutation({
    mutationFn: () => trpc.admin.inboxes.create.mutate({ address: form.address, name: form.name }),
    onSuccess: () => {
      setForm({ address: "", name: "" });
      void qc.invalidateQueries({ queryKey: keys.admin });
      void qc.invalidateQueries({ queryKey: keys.inboxes });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <div className="admin-panel">
      <form className="card form" onSubmit={submit}>
        <label>
          {t("admin.address")}
          <input
            type="email"
            value={form.address}
            onChange={(e) => setForm({ ...form, address: e.target.value })}
            placeholder="info@example.co.jp"
            required
          />
        </label>
        <label>
          {t("admin.name")}
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          {t("admin.create")}
        </button>
      </form>
      {(create.error ?? inboxes.error) && (
        <p className="form-error">{t(errorKey(create.error ?? inboxes.error))}</p>
      )}
      {inboxes.data?.map((inbox) => (
        <InboxEditor key={inbox.id} inbox={inbox} users={users.data ?? []} />
      ))}
    </div>
  );
}

function InboxEditor(props: { inbox: AdminInbox; users: AdminUser[] }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const { inbox } = props;
  const [signature, setSignature] = useState(inbox.settings.signature ?? "");
  const [undo, setUndo] = useState(String(inbox.settings.undoSendSeconds ?? 10));
  const [statusOnReply, setStatusOnReply] = useState<Status>(inbox.settings.statusOnReply ?? "done");
  const [autoReply, setAutoReply] = useState<AutoReplyValue>(
    inbox.settings.autoReply ?? { enabled: false, subject: "", body: "" },
  );
  const [adding, setAdding] = useState("");
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: keys.admin });
    void qc.invalidateQueries({ queryKey: keys.inboxes });
  };
  const update = useMutation({
    mutationFn: () =>
      trpc.admin.inboxes.update.mutate({
        inboxId: inbox.id,
        settings: {
          signature,
          undoSendSeconds: Math.min(120, Math.max(0, Number(undo) || 0)),
          statusOnReply,
          autoReply,
        },
      }),
    onSuccess: refresh,
  });
  const members = useMutation({
    mutationFn: (v: { add?: number[]; remove?: number[] }) =>
      trpc.admin.inboxes.changeMembers.mutate({
        inboxId: inbox.id,
        add: v.add ?? [],
        remove: v.remove ?? [],
      }),
    onSuccess: () => {
      setAdding("");
      refresh();
    },
  });
  const [alias, setAlias] = useState("");
  const aliases = useMutation({
    mutationFn: (v: { add?: string[]; remove?: string[] }) =>
      trpc.admin.inboxes.changeAliases.mutate({
        inboxId: inbox.id,
        add: v.add ?? [],
        remove: v.remove ?? [],
      }),
    onSuccess: () => {
      setAlias("");
      refresh();
    },
  });
  const addAlias = (e: FormEvent) => {
    e.preventDefault();
    if (alias.trim()) aliases.mutate({ add: [alias.trim()] });
  };
  const memberIds = new Set(inbox.members.map((m) => m.userId));
  const candidates = props.users.filter((u) => u.active && !memberIds.has(u.id));
  const save = (e: FormEvent) => {
    e.preventDefault();
    update.mutate();
  };
  return (
    <details className="card inbox-editor">
      <summary>
        <strong>{inbox.name}</strong> <span className="muted small">{inbox.address}</span>
      </summary>
      <h3>{t("admin.members")}</h3>
      <ul className="admin-list">
        {inbox.members.map((m) => (
          <li key={m.userId}>
            <span className="grow">
              {m.name} <span className="muted small">{m.email}</span>
            </span>
            <button type="button" onClick={() => members.mutate({ remove: [m.userId] })}>
              {t("admin.remove")}
            </button>
          </li>
        ))}
      </ul>
      <div className="inline">
        <select value={adding} onChange={(e) => setAdding(e.target.value)} aria-label={t("admin.addMember")}>
          <option value="">{t("admin.addMember")}…</option>
          {candidates.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name} ({u.email})
            </option>
          ))}
        </select>
        <button type="button" disabled={!adding} onClick={() => members.mutate({ add: [Number(adding)] })}>
          {t("admin.add")}
        </button>
      </div>
      <h3>{t("admin.aliases")}</h3>
      <p className="muted small">{t("admin.aliasesHint")}</p>
      <ul className="admin-list" data-testid="inbox-aliases">
        {inbox.aliases.map((a) => (
          <li key={a}>
            <span className="grow">{a}</span>
            <button type="button" onClick={() => aliases.mutate({ remove: [a] })}>
              {t("admin.remove")}
            </button>
          </li>
        ))}
        {!inbox.aliases.length && <li className="muted small">{t("admin.noAliases")}</li>}
      </ul>
      <form className="inline alias-add" onSubmit={addAlias}>
        <input
          type="email"
          value={alias}
          onChange={(e) => setAlias(e.target.value)}
          placeholder="otoiawase@example.co.jp"
          aria-label={t("admin.aliasAddress")}
        />
        <button type="submit" disabled={!alias.trim() || aliases.isPending}>
          {t("admin.addAlias")}
        </button>
      </form>
      {aliases.error && (
        <p className="form-error" role="alert">
          {t(errorKey(aliases.error))}
        </p>
      )}
      <form className="form" onSubmit={save}>
        <label>
          {t("admin.signature")}
          <textarea rows={4} value={signature} onChange={(e) => setSignature(e.target.value)} />
        </label>
        <label>
          {t("admin.undoSeconds")}
          <input type="number" min={0} max={120} value={undo} onChange={(e) => setUndo(e.target.value)} />
        </label>
        <label>
          {t("admin.statusOnReply")}
          <select value={statusOnReply} onChange={(e) => setStatusOnReply(e.target.value as Status)}>
            <StatusOptions />
          </select>
        </label>
        <AutoReplyFields value={autoReply} onChange={setAutoReply} />
        {(update.error ?? members.error) && (
          <p className="form-error">{t(errorKey(update.error ?? members.error))}</p>
        )}
        {update.isSuccess && <p className="ok">{t("admin.saved")}</p>}
        <button type="submit" className="primary" disabled={update.isPending}>
          {t("admin.save")}
        </button>
      </form>
    </details>
  );
}
