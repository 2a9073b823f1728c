/**
 * The realtime protocol between the server and the web app over socket.io: the one file
 * both sides import. Every message is a discriminated union member on one event per
 * direction ("server" / "client"), so adding a message is adding a union member.
 *
 * The rule (ARCHITECTURE.md, Realtime): socket.io only nudges. "inbox X advanced to seq N"
 * tells the client to pull `changes.since` over tRPC from its cursor; nothing depends on a
 * packet arriving. Presence is ephemeral and expires on its own (TTL) unless renewed.
 */

/** Bumped on any incompatible change; the server says its version in "hello". */
export const REALTIME_PROTOCOL_VERSION = 1;

/** socket.io path (the default), served by apps/server next to /api/trpc. */
export const REALTIME_PATH = "/socket.io";

export type PresenceState = "viewing" | "replying";

export interface PresenceEntry {
  inboxId: number;
  conversationId: number;
  userId: number;
  userName: string;
  /** One browser tab; a user with two tabs has two entries. */
  connectionId: string;
  state: PresenceState;
  /** ISO time after which the entry is stale unless renewed (a client drops it then). */
  expiresAt: string;
}

export interface NotificationPayload {
  id: number;
  /** An @mention in a conversation's chat; a スヌーズ whose time came (actor: who snoozed it). */
  kind: "mention" | "snooze_ended";
  inboxId: number;
  conversationId: number;
  commentId: number | null;
  actor: { id: number; name: string } | null;
  subject: string;
  excerpt: string;
  createdAt: string;
}

/** Server → client. */
export type ServerMessage =
  | { type: "hello"; version: number; userId: number; connectionId: string; presenceTtlMs: number }
  /** The inbox's change log reached `seq`; `conversationIds` changed (a hint: pull changes.since for the truth). */
  | { type: "inbox_advanced"; inboxId: number; seq: number; conversationIds: number[] }
  /** Someone's presence on a conversation began or was renewed (entry), or ended (entry null). */
  | {
      type: "presence";
      inboxId: number;
      conversationId: number;
      connectionId: string;
      entry: PresenceEntry | null;
    }
  | { type: "notification"; notification: NotificationPayload }
  /** The user's own read state changed in another tab. */
  | { type: "read_state"; conversationId: number; readSeq: number }
  /** The server took the client out of an inbox room (membership removed). */
  | { type: "room_left"; inboxId: number; reason: "membership" }
  /** The session ended (logout, password change, deactivation); the socket is closed next. */
  | { type: "session_ended" };

/** Client → server; each gets exactly one ClientReply through the socket.io acknowledgement. */
export type ClientMessage =
  /** Join an inbox room: nudges and presence of that inbox. Refused for non-members. */
  | { type: "join"; inboxId: number }
  | { type: "leave"; inboxId: number }
  /** Set (or renew: send again before expiresAt) presence on a conversation; state null ends it. */
  | { type: "presence"; conversationId: number; state: PresenceState | null }
  /** Everyone present in an inbox the client has joined (after joining, or after a reconnect). */
  | { type: "presence_list"; inboxId: number };

export type ClientReply =
  | { ok: true; type: "joined"; inboxId: number; seq: number }
  | { ok: true; type: "left"; inboxId: number }
  | { ok: true; type: "presence_set"; entry: PresenceEntry | null }
  | { ok: true; type: "presence_list"; inboxId: number; entries: PresenceEntry[] }
  | {
      ok: false;
      error: "FORBIDDEN" | "NOT_FOUND" | "BAD_REQUEST" | "NOT_JOINED" | "INTERNAL";
      message: string;
    };

/** socket.io's typed event maps: one event per direction. */
export interface ServerToClientEvents {
  server: (message: ServerMessage) => void;
}

export interface ClientToServerEvents {
  client: (message: ClientMessage, reply: (reply: ClientReply) => void) => void;
}

/** Events between server nodes (socket.io serverSideEmit, through the PostgreSQL adapter). */
export interface InterServerEvents {
  recheck: (userIds: number[]) => void;
}

/** Per-connection data, visible across nodes through fetchSockets(). */
export interface SocketData {
  userId: number;
  userName: string;
  sessionId: string;
  /** Present on at most one conversation at a time per connection. */
  presence: PresenceEntry | null;
}
