import type { Me } from "../api/client";
import { useI18n } from "../i18n";
import { AdminConnectors } from "./AdminConnectors";
import { AdminDomains } from "./AdminDomains";
import { AdminInboxes } from "./AdminInboxes";
import { AdminQueue } from "./AdminQueue";
import { AdminUsers } from "./AdminUsers";

const TABS = ["users", "inboxes", "connectors", "domains", "queue"] as const;

/** Administration (loaded on demand): users, shared inboxes and members, external mailboxes, domains, the outgoing queue. */
export default function Admin(props: { me: Me; tab: string }) {
  const { t } = useI18n();
  if (!props.me.isAdmin) return <p className="pad">{t("admin.forbidden")}</p>;
  const tab = TABS.find((x) => x === props.tab) ?? "users";
  return (
    <section className="page admin">
      <h1 className="page-title">{t("admin.title")}</h1>
      <nav className="tabs">
        {TABS.map((x) => (
          <a key={x} href={`#/admin/${x}`} aria-current={tab === x ? "page" : undefined} role="tab">
            {t(`admin.${x}`)}
          </a>
        ))}
      </nav>
      {tab === "users" ? (
        <AdminUsers me={props.me} />
      ) : tab === "inboxes" ? (
        <AdminInboxes />
      ) : tab === "connectors" ? (
        <AdminConnectors />
      ) : tab === "domains" ? (
        <AdminDomains />
      ) : (
        <AdminQueue />
      )}
    </section>
  );
}
