import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { trpc } from "../api/client";
import { errorKey, retryAfterSeconds } from "../api/errors";
import { keys } from "../api/keys";
import { rememberLang, useI18n } from "../i18n";

export function Login() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [missing, setMissing] = useState(false);
  const login = useMutation({
    mutationFn: (input: { email: string; password: string }) => trpc.auth.login.mutate(input),
    onSuccess: (r) => {
      rememberLang(r.user.locale === "en" ? "en" : "ja");
      // Everything cached belonged to nobody (or someone else): start clean, but keep the
      // "me" query itself, which the app is observing.
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
      qc.setQueryData(keys.me, r.user);
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim() || !password) {
      setMissing(true);
      return;
    }
    setMissing(false);
    login.mutate({ email: email.trim(), password });
  };

  const retry = login.error ? retryAfterSeconds(login.error) : null;
  return (
    <div className="center-page">
      <form className="login card" onSubmit={submit} noValidate>
        <h1>
          窓口 <small>Madoguchi</small>
        </h1>
        <h2>{t("login.title")}</h2>
        <label>
          {t("login.email")}
          <input
            name="email"
            type="email"
            autoComplete="username"
            inputMode="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
        </label>
        <label>
          {t("login.password")}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {(missing || login.error) && (
          <p className="form-error" role="alert">
            {missing
              ? t("login.missing")
              : retry
                ? t("login.lockedFor", { minutes: Math.max(1, Math.ceil(retry / 60)) })
                : t(errorKey(login.error))}
          </p>
        )}
        <button type="submit" className="primary" disabled={login.isPending}>
          {login.isPending ? t("login.submitting") : t("login.submit")}
        </button>
      </form>
    </div>
  );
}
