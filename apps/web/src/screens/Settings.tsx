import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { type Me, trpc } from "../api/client";
import { errorKey } from "../api/errors";
import { keys } from "../api/keys";
import { rememberLang, useI18n } from "../i18n";
import { showToast } from "../lib/toast";

const ZONES = [
  "Asia/Tokyo",
  "UTC",
  "America/Los_Angeles",
  "America/New_York",
  "Europe/London",
  "Asia/Singapore",
];

/** Language, time zone and name (stored on the server), and the password. */
export function Settings(props: { me: Me; forced: boolean; onLogout: () => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [name, setName] = useState(props.me.name);
  const [locale, setLocale] = useState(props.me.locale === "en" ? "en" : "ja");
  const [timeZone, setTimeZone] = useState(props.me.timeZone);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const zones = ZONES.includes(timeZone) ? ZONES : [timeZone, ...ZONES];

  const profile = useMutation({
    mutationFn: () =>
      trpc.auth.updateProfile.mutate({ name: name.trim(), locale: locale === "en" ? "en" : "ja", timeZone }),
    onSuccess: (user) => {
      rememberLang(user.locale === "en" ? "en" : "ja");
      qc.setQueryData(keys.me, user);
    },
  });
  const password = useMutation({
    mutationFn: () => trpc.auth.changePassword.mutate({ currentPassword: current, newPassword: next }),
    onSuccess: () => {
      setCurrent("");
      setNext("");
      // After a forced change the app moves on to the inboxes: say it worked where it stays visible.
      showToast({ kind: "info", text: t("settings.passwordChanged") });
      void qc.invalidateQueries({ queryKey: keys.me });
    },
  });

  const saveProfile = (e: FormEvent) => {
    e.preventDefault();
    profile.mutate();
  };
  const changePassword = (e: FormEvent) => {
    e.preventDefault();
    password.mutate();
  };

  return (
    <section className="page settings">
      <h1 className="page-title">{t("settings.title")}</h1>
      {props.forced && <p className="banner warn">{t("login.mustChangePassword")}</p>}
      {!props.forced && (
        <form className="card form" onSubmit={saveProfile}>
          <label>
            {t("settings.name")}
            <input value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            {t("settings.language")}
            <select
              value={locale}
              onChange={(e) => setLocale(e.target.value === "en" ? "en" : "ja")}
              data-testid="language"
            >
              <option value="ja">日本語</option>
              <option value="en">English</option>
            </select>
          </label>
          <label>
            {t("settings.timeZone")}
            <select value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          </label>
          {profile.error && <p className="form-error">{t(errorKey(profile.error))}</p>}
          {profile.isSuccess && <p className="ok">{t("settings.saved")}</p>}
          <button type="submit" className="primary" disabled={profile.isPending}>
            {t("settings.save")}
          </button>
        </form>
      )}
      <form className="card form" onSubmit={changePassword}>
        <h2>{t("settings.password")}</h2>
        <label>
          {t("settings.currentPassword")}
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
        <label>
          {t("settings.newPassword")}
          <input
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
          />
        </label>
        {password.error && <p className="form-error">{t(errorKey(password.error))}</p>}
        <button type="submit" className="primary" disabled={password.isPending || !current || !next}>
          {t("settings.changePassword")}
        </button>
      </form>
      <p>
        <button type="button" onClick={props.onLogout}>
          {t("nav.logout")}
        </button>
      </p>
    </section>
  );
}
