import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { trpc } from "./api/client";
import { keys } from "./api/keys";
import { ErrorBox } from "./components/ErrorBox";
import { NewMessageLauncher } from "./compose/NewMessage";
import { I18nProvider, storedLang } from "./i18n";
import { Login } from "./screens/Login";
import { Shell } from "./screens/Shell";

const browserTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Who is logged in decides everything: the login screen, or the app in the user's language and zone. */
export function App() {
  const me = useQuery({
    queryKey: keys.me,
    queryFn: () => trpc.auth.me.query(),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const lang = me.data?.locale === "en" ? "en" : me.data ? "ja" : storedLang();
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  return (
    <I18nProvider lang={lang} timeZone={me.data?.timeZone || browserTimeZone}>
      {me.isPending ? (
        <div className="center-page" aria-busy="true" />
      ) : me.isError ? (
        <div className="center-page">
          <ErrorBox error={me.error} onRetry={() => void me.refetch()} />
        </div>
      ) : me.data ? (
        <>
          <Shell me={me.data} />
          <NewMessageLauncher me={me.data} />
        </>
      ) : (
        <Login />
      )}
    </I18nProvider>
  );
}
