import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type Me, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { useI18n } from "../i18n";

export function AdminUsers(props: { me: Me }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const users = useQuery({
    queryKey: [...keys.admin, "users"],
    queryFn: () => trpc.admin.users.list.query(),
  });
  const [form, setForm] = useState({ email: "", name: "", password: "", isAdmin: false });
  const [oneTime, setOneTime] = useState<string | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: keys.admin });

  const create = useMutation({
    mutationFn: () =>
      trpc.admin.users.create.mutate({
        email: form.email,
        name: form.name,
        isAdmin: form.isAdmin,
        ...(form.password ? { password: form.password } : {}),
      }),
    onSuccess: (r) => {
      setOneTime(r.oneTimePassword ?? null);
      setForm({ email: "", name: "", password: "", isAdmin: false });
      refresh();
    },
  });
  const setActive = useMutation({
    mutationFn: (v: { userId: number; active: boolean }) => trpc.admin.users.setActive.mutate(v),
    onSuccess: refresh,
  });
  const reset = useMutation({
    mutationFn: (userId: number) => trpc.admin.users.resetPassword.mutate({ userId }),
    onSuccess: (r) => setOneTime((r as { oneTimePassword?: string }).oneTimePassword ?? null),
  });
  const error = create.error ?? setActive.error ?? reset.error ?? users.error;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  return (
    <div className="admin-panel">
      <form className="card form" onSubmit={submit}>
        <label>
          {t("admin.email")}
          <input
            type="email"
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
            required
          />
        </label>
        <label>
          {t("admin.name")}
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        </label>
        <label>
          {t("admin.password")}
          <input
            type="password"
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={form.isAdmin}
            onChange={(e) => setForm({ ...form, isAdmin: e.target.checked })}
          />
          {t("admin.isAdmin")}
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          {t("admin.create")}
        </button>
      </form>
      {oneTime && <p className="banner info">{t("admin.oneTimePassword", { password: oneTime })}</p>}
      {error && <p className="form-error">{t(errorKey(error))}</p>}
      <ul className="admin-list">
        {users.data?.map((u) => (
          <li key={u.id} className={u.active ? undefined : "inactive"}>
            <span className="grow">
              <strong>{u.name}</strong> <span className="muted small">{u.email}</span>
              {u.isAdmin && <span className="tag">{t("admin.isAdmin")}</span>}
              {!u.active && <span className="tag">{t("admin.inactive")}</span>}
            </span>
            {u.id !== props.me.id && (
              <>
                <button type="button" onClick={() => setActive.mutate({ userId: u.id, active: !u.active })}>
                  {u.active ? t("admin.deactivate") : t("admin.activate")}
                </button>
                <button type="button" onClick={() => reset.mutate(u.id)}>
                  {t("admin.resetPassword")}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
