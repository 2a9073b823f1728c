import { useSyncExternalStore } from "react";

/**
 * Hash routes (#/inbox/3/c/42?status=open): the server serves one index.html and never needs
 * to know the SPA's paths; back/forward and reload keep the place.
 */
export type Route =
  | { name: "home" }
  | { name: "assigned"; query: URLSearchParams }
  | { name: "inbox"; inboxId: number; conversationId: number | null; query: URLSearchParams }
  | { name: "templates"; inboxId: number }
  | { name: "rules"; inboxId: number }
  | { name: "notifications" }
  | { name: "settings" }
  | { name: "admin"; tab: string }
  | { name: "notFound" };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, "") || "/";
  const [path = "/", search = ""] = raw.split("?", 2);
  const query = new URLSearchParams(search);
  const parts = path.split("/").filter(Boolean);
  const num = (s: string | undefined) => (s && /^\d{1,15}$/.test(s) ? Number(s) : null);
  if (parts.length === 0) return { name: "home" };
  if (parts[0] === "assigned") return { name: "assigned", query };
  if (parts[0] === "notifications") return { name: "notifications" };
  if (parts[0] === "settings") return { name: "settings" };
  if (parts[0] === "admin") return { name: "admin", tab: parts[1] ?? "users" };
  if (parts[0] === "inbox") {
    const inboxId = num(parts[1]);
    if (inboxId === null) return { name: "notFound" };
    if (parts.length === 2) return { name: "inbox", inboxId, conversationId: null, query };
    if (parts[2] === "templates") return { name: "templates", inboxId };
    if (parts[2] === "rules") return { name: "rules", inboxId };
    const conversationId = parts[2] === "c" ? num(parts[3]) : null;
    if (conversationId === null) return { name: "notFound" };
    return { name: "inbox", inboxId, conversationId, query };
  }
  return { name: "notFound" };
}

export const hrefInbox = (inboxId: number, query?: URLSearchParams | string) => {
  const q = query?.toString();
  return `#/inbox/${inboxId}${q ? `?${q}` : ""}`;
};

export const hrefTemplates = (inboxId: number) => `#/inbox/${inboxId}/templates`;

export const hrefRules = (inboxId: number) => `#/inbox/${inboxId}/rules`;

export const hrefAssigned = (query?: URLSearchParams | string) => {
  const q = query?.toString();
  return `#/assigned${q ? `?${q}` : ""}`;
};

export const hrefConversation = (
  inboxId: number,
  conversationId: number,
  query?: URLSearchParams | string,
) => {
  const q = query?.toString();
  return `#/inbox/${inboxId}/c/${conversationId}${q ? `?${q}` : ""}`;
};

export function navigate(href: string, replace = false): void {
  if (replace) {
    history.replaceState(null, "", href);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else {
    location.hash = href.replace(/^#/, "");
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

const getHash = () => location.hash;

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, getHash, getHash);
  // URLSearchParams is rebuilt per render; callers compare its string form.
  return parseRoute(hash);
}
