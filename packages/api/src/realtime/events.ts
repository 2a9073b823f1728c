import type { NotificationPayload } from "./protocol";

/**
 * What the API pushes besides change-log nudges: the tRPC procedures call these after a
 * mutation commits. Implemented by the socket.io server (attachRealtime); a no-op before that.
 */
export interface RealtimeEvents {
  notify(userId: number, notification: NotificationPayload): void;
  readState(userId: number, conversationId: number, readSeq: number): void;
  /** Inbox membership of these users changed: their open rooms are re-checked on every node. */
  membershipChanged(userIds: number[]): void;
  /**
   * Sessions ended (logout: one session; deactivation or password change: all of the user's,
   * maybe but the current one): their sockets are told and closed, on every node.
   */
  sessionsEnded(target: { userId: number; sessionId?: string; exceptSessionId?: string }): void;
}

export const noRealtime: RealtimeEvents = {
  notify() {},
  readState() {},
  membershipChanged() {},
  sessionsEnded() {},
};
