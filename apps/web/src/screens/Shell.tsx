import { useQuery, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState } from "react";
import { type Me, trpc } from "../api/client";
import { keys } from "../api/keys";
import { Toasts } from "../components/Toasts";
import { TemplatesPage } from "../compose/TemplatesPage";
import { useI18n } from "../i18n";
import { hrefConversation, useRoute } from "../lib/route";
import { Store, useStore } from "../lib/store";
import { showToast } from "../lib/toast";
import { Realtime } from "../realtime/client";
import { RealtimeContext } from "../realtime/context";
import { RulesPage } from "../rules/RulesPage";
import { AssignedToMe } from "./AssignedToMe";
import { InboxList } from "./InboxList";
import { InboxScreen } from "./InboxScreen";
import { Notifications } from "./Notifications";
import { Settings } from "./Settings";

const OFFLINE_DEFAULT = new Store<"connecting" | "online" | "offline">("connecting");

// Admin screens are for a few users: their code loads only when opened.
const Admin = lazy(() => import("../admin/Admin"));

/** The logged-in app: header, realtime connection, and the screen for the current route. */
export function Shell(props: { me: Me }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const route = useRoute();
  const [realtime, setRealtime] = useState<Realtime | null>(null);
  const inboxes = useQuery({ queryKey: keys.inboxes, queryFn: () => trpc.inbox.list.query() });
  const unread = useQuery({
    queryKey: [...keys.notifications, "unread"],
    queryFn: () => trpc.notification.list.query({ unreadOnly: true, limit: 1 }),
  });

  useEffect(() => {
    const rt = new Realtime(qc);
    setRealtime(rt);
    return () => rt.close();
  }, [qc]);

  const inboxIds = inboxes.data?.inboxes.map((i) => i.id).join(",") ?? "";
  useEffect(() => {
    realtime?.follow(inboxIds ? inboxIds.split(",").map(Number) : []);
  }, [realtime, inboxIds]);

  useEffect(() => {
    if (!realtime) return;
    const offNotify = realtime.onNotification((n) =>
      showToast({
        kind: "notification",
        text:
          n.kind === "snooze_ended"
            ? t("notifications.snoozeEndedToast", { subject: n.subject })
            : t("notifications.toast", { actor: n.actor?.name ?? "?", excerpt: n.excerpt }),
        href: hrefConversation(n.inboxId, n.conversationId),
      }),
    );
    const offEnded = realtime.onSessionEnded(() => qc.setQueryData(keys.me, null));
    return () => {
      offNotify();
      offEnded();
    };
  }, [realtime, qc, t]);

  const connection = useStore(realtime?.state ?? OFFLINE_DEFAULT);
  const logout = async () => {
    await trpc.auth.logout.mutate().catch(() => {});
    qc.setQueryData(keys.me, null);
    qc.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
  };

  const mustChange = props.me.mustChangePassword;
  const unreadCount = unread.data?.unread ?? 0;
  return (
    <RealtimeContext.Provider value={realtime}>
      <div className="app">
        <header className="topbar">
          <a className="brand" href="#/">
            窓口
          </a>
          <nav>
            <a href="#/" aria-current={route.name === "home" || route.name === "inbox" ? "page" : undefined}>
              {t("nav.inboxes")}
            </a>
            <a href="#/assigned" aria-current={route.name === "assigned" ? "page" : undefined}>
              {t("nav.assignedToMe")}
              {inboxes.data && inboxes.data.assignedToMe > 0 && (
                <span className="badge">{inboxes.data.assignedToMe}</span>
              )}
            </a>
            <a
              href="#/notifications"
              aria-current={route.name === "notifications" ? "page" : undefined}
              data-testid="nav-notifications"
            >
              {t("nav.notifications")}
              {unreadCount > 0 && (
                <span className="badge" data-testid="notification-count">
                  {unreadCount}
                </span>
              )}
            </a>
            <a href="#/settings" aria-current={route.name === "settings" ? "page" : undefined}>
              {t("nav.settings")}
            </a>
            {props.me.isAdmin && (
              <a href="#/admin" aria-current={route.name === "admin" ? "page" : undefined}>
                {t("nav.admin")}
              </a>
            )}
          </nav>
          <span className={`conn conn-${connection}`} title={connection} aria-hidden="true" />
          <button type="button" className="link logout" onClick={() => void logout()}>
            {t("nav.logout")}
          </button>
        </header>
        {connection === "offline" && (
          <div className="banner warn" role="status">
            {t("app.offline")}
          </div>
        )}
        <main className="main">
          {mustChange || route.name === "settings" ? (
            <Settings me={props.me} forced={mustChange} onLogout={() => void logout()} />
          ) : route.name === "home" || route.name === "notFound" ? (
            <InboxList />
          ) : route.name === "assigned" ? (
            <AssignedToMe me={props.me} query={route.query} />
          ) : route.name === "templates" ? (
            <TemplatesPage inboxId={route.inboxId} />
          ) : route.name === "rules" ? (
            <RulesPage inboxId={route.inboxId} />
          ) : route.name === "notifications" ? (
            <Notifications />
          ) : route.name === "admin" ? (
            <Suspense fallback={<p className="muted pad">{t("app.loading")}</p>}>
              <Admin me={props.me} tab={route.tab} />
            </Suspense>
          ) : (
            <InboxScreen
              me={props.me}
              inboxId={route.inboxId}
              conversationId={route.conversationId}
              query={route.query}
            />
          )}
        </main>
        <Toasts />
      </div>
    </RealtimeContext.Provider>
  );
}
