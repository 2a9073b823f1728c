import type { NotificationView } from "@madoguchi/core";
import type { RealtimeEvents } from "../realtime/events";
import type { NotificationPayload } from "../realtime/protocol";
import { iso } from "./iso";

export const notificationView = (n: NotificationView): NotificationPayload & { read: boolean } => ({
  id: n.id,
  kind: n.kind,
  inboxId: n.inboxId,
  conversationId: n.conversationId,
  commentId: n.commentId,
  actor: n.actorId !== null ? { id: n.actorId, name: n.actorName ?? "?" } : null,
  subject: n.subject,
  excerpt: n.excerpt,
  createdAt: iso(n.createdAt),
  read: n.readAt !== null,
});

/** Pushes each notification to its user's open browsers. */
export function pushNotifications(events: RealtimeEvents, notifications: NotificationView[]): void {
  for (const n of notifications) {
    const { read: _, ...payload } = notificationView(n);
    events.notify(n.userId, payload);
  }
}
