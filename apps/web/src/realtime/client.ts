import type {
  ClientMessage,
  ClientReply,
  ClientToServerEvents,
  PresenceEntry,
  PresenceState,
  ServerMessage,
  ServerToClientEvents,
} from "@madoguchi/api/router";
import type { QueryClient } from "@tanstack/react-query";
import { io, type Socket } from "socket.io-client";
import { trpc } from "../api/client";
import { REALTIME_PATH, REALTIME_PROTOCOL_VERSION } from "../api/constants";
import { keys } from "../api/keys";
import { takenBack } from "../compose/outbox";
import { Store } from "../lib/store";
import { PresenceBook } from "./presence";

type IoSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Notification = Extract<ServerMessage, { type: "notification" }>["notification"];

/** Pages of changes pulled per nudge before yielding (each page holds up to 500 changes). */
const MAX_PULL_PAGES = 20;
const ACK_TIMEOUT_MS = 10_000;
const PRUNE_MS = 5_000;
const CONNECT_TIMEOUT_MS = 8_000;

export type ConnectionState = "connecting" | "online" | "offline";

/**
 * The browser's side of the realtime protocol. socket.io only nudges: "inbox X is at seq N"
 * makes us pull changes.since(cursor) over tRPC and refresh the affected queries, so a
 * missed packet or minutes offline converge at the next nudge or reconnect (join answers
 * with the inbox's seq). Presence is ours to renew before its TTL runs out.
 */
export class Realtime {
  readonly state = new Store<ConnectionState>("connecting");
  readonly presenceVersion = new Store(0);
  readonly presence = new PresenceBook();
  connectionId: string | null = null;
  userId: number | null = null;

  private socket: IoSocket;
  private ttlMs = 45_000;
  private wanted = new Set<number>();
  private cursors = new Map<number, number>();
  private pulling = new Map<number, Promise<void>>();
  private pendingTarget = new Map<number, number>();
  private myPresence: { conversationId: number; state: PresenceState } | null = null;
  private renewTimer: number | undefined;
  private pruneTimer: number;
  private notificationHandlers = new Set<(n: Notification) => void>();
  private sessionEndedHandlers = new Set<() => void>();

  constructor(private queryClient: QueryClient) {
    this.socket = io({
      path: REALTIME_PATH,
      transports: ["websocket", "polling"],
      reconnectionDelayMax: 5000,
      // A connection attempt that hangs (dead network, half-open proxy) is abandoned sooner
      // than socket.io's 20 s default, so coming back online converges within seconds.
      timeout: CONNECT_TIMEOUT_MS,
    });
    this.socket.on("server", (m) => this.onMessage(m));
    this.socket.on("disconnect", () => {
      this.state.set("offline");
      this.presence.clear();
      this.bumpPresence();
    });
    this.socket.on("connect_error", () => this.state.set("offline"));
    this.pruneTimer = window.setInterval(() => {
      if (this.presence.prune(Date.now())) this.bumpPresence();
    }, PRUNE_MS);
  }

  close(): void {
    window.clearInterval(this.pruneTimer);
    window.clearInterval(this.renewTimer);
    this.socket.close();
  }

  onNotification(fn: (n: Notification) => void): () => void {
    this.notificationHandlers.add(fn);
    return () => this.notificationHandlers.delete(fn);
  }

  onSessionEnded(fn: () => void): () => void {
    this.sessionEndedHandlers.add(fn);
    return () => this.sessionEndedHandlers.delete(fn);
  }

  /** Follow these inboxes (the user's own, from inbox.list); others are left. */
  follow(inboxIds: number[]): void {
    const next = new Set(inboxIds);
    for (const id of this.wanted) if (!next.has(id)) void this.send({ type: "leave", inboxId: id });
    for (const id of next) if (!this.wanted.has(id) && this.socket.connected) void this.join(id);
    this.wanted = next;
  }

  /** Set, change or end (state null) this tab's presence; renewed on a timer until ended. */
  setPresence(conversationId: number, state: PresenceState | null): void {
    if (state === null) {
      if (this.myPresence?.conversationId !== conversationId) return;
      this.myPresence = null;
      window.clearInterval(this.renewTimer);
      this.renewTimer = undefined;
      void this.send({ type: "presence", conversationId, state: null });
      return;
    }
    this.myPresence = { conversationId, state };
    void this.send({ type: "presence", conversationId, state });
    window.clearInterval(this.renewTimer);
    this.renewTimer = window.setInterval(() => this.renewPresence(), Math.max(2000, this.ttlMs / 3));
  }

  private renewPresence(): void {
    if (this.myPresence && this.socket.connected) void this.send({ type: "presence", ...this.myPresence });
  }

  private bumpPresence(): void {
    this.presenceVersion.update((v) => v + 1);
  }

  private send(message: ClientMessage): Promise<ClientReply | null> {
    if (!this.socket.connected) return Promise.resolve(null);
    return this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("client", message)
      .catch(() => null);
  }

  private onMessage(m: ServerMessage): void {
    switch (m.type) {
      case "hello":
        if (m.version !== REALTIME_PROTOCOL_VERSION) console.warn("realtime protocol version", m.version);
        this.connectionId = m.connectionId;
        this.userId = m.userId;
        this.ttlMs = m.presenceTtlMs;
        this.state.set("online");
        for (const id of this.wanted) void this.join(id);
        this.renewPresence();
        return;
      case "inbox_advanced":
        this.nudge(m.inboxId, m.seq, m.conversationIds);
        return;
      case "presence":
        this.presence.apply(m.inboxId, m.connectionId, m.entry);
        this.bumpPresence();
        return;
      case "notification":
        void this.queryClient.invalidateQueries({ queryKey: keys.notifications });
        for (const fn of this.notificationHandlers) fn(m.notification);
        return;
      case "read_state":
        void this.queryClient.invalidateQueries({ queryKey: keys.listAll });
        void this.queryClient.invalidateQueries({ queryKey: keys.inboxes });
        return;
      case "room_left":
        this.wanted.delete(m.inboxId);
        this.presence.clear(m.inboxId);
        this.bumpPresence();
        void this.queryClient.invalidateQueries({ queryKey: keys.inboxes });
        return;
      case "session_ended":
        for (const fn of this.sessionEndedHandlers) fn();
        return;
    }
  }

  private async join(inboxId: number): Promise<void> {
    const reply = await this.send({ type: "join", inboxId });
    if (!reply?.ok || reply.type !== "joined") return;
    const cursor = this.cursors.get(inboxId);
    if (cursor === undefined) {
      // First join: what the screens show may predate the join, so refresh once from here on.
      this.cursors.set(inboxId, reply.seq);
      this.refreshInbox(inboxId, []);
      void this.queryClient.invalidateQueries({ queryKey: keys.conversationAll });
    } else if (reply.seq > cursor) {
      this.nudge(inboxId, reply.seq, []);
    }
    const list = await this.send({ type: "presence_list", inboxId });
    if (list?.ok && list.type === "presence_list") {
      this.presence.replace(inboxId, list.entries as PresenceEntry[]);
      this.bumpPresence();
    }
  }

  /** One pull per inbox at a time; a nudge during a pull raises the target for the next round. */
  private nudge(inboxId: number, seq: number, hint: number[]): void {
    const cursor = this.cursors.get(inboxId);
    if (cursor !== undefined && seq <= cursor) return;
    this.pendingTarget.set(inboxId, Math.max(seq, this.pendingTarget.get(inboxId) ?? 0));
    if (this.pulling.has(inboxId)) return;
    const run = this.pull(inboxId, hint).finally(() => {
      this.pulling.delete(inboxId);
      const target = this.pendingTarget.get(inboxId) ?? 0;
      if (target > (this.cursors.get(inboxId) ?? 0)) this.nudge(inboxId, target, []);
      else this.pendingTarget.delete(inboxId);
    });
    this.pulling.set(inboxId, run);
  }

  private async pull(inboxId: number, hint: number[]): Promise<void> {
    const changed = new Set(hint);
    let labelled = false;
    try {
      for (let page = 0; page < MAX_PULL_PAGES; page++) {
        const after = this.cursors.get(inboxId) ?? 0;
        const r = await trpc.changes.since.query({ inboxId, afterSeq: after });
        for (const c of r.changes) {
          if (c.conversationId !== null) changed.add(c.conversationId);
          for (const id of removedConversations(c.data)) changed.add(id);
          labelled ||= c.kind === "labels_changed";
          if (c.kind === "reply_cancelled" && c.conversationId !== null) {
            // A send taken back (by its author in another tab, or by the server): the composer
            // gets its draft back.
            const outboundId = (c.data as { outboundId?: unknown }).outboundId;
            if (typeof outboundId === "number") takenBack(outboundId);
            void this.queryClient.invalidateQueries({ queryKey: keys.drafts(c.conversationId) });
          }
        }
        this.cursors.set(inboxId, Math.max(after, r.changes.at(-1)?.seq ?? after, r.more ? 0 : r.head));
        if (!r.more) break;
      }
    } catch {
      // The next nudge or reconnect retries from the same cursor.
    }
    this.refreshInbox(inboxId, [...changed]);
    // A teammate may have put on a label just created: the pickers and the list filter learn it.
    if (labelled) void this.queryClient.invalidateQueries({ queryKey: keys.labels(inboxId) });
  }

  private refreshInbox(inboxId: number, conversationIds: number[]): void {
    const qc = this.queryClient;
    void qc.invalidateQueries({ queryKey: keys.list(inboxId) });
    void qc.invalidateQueries({ queryKey: keys.inboxes });
    for (const id of conversationIds) void qc.invalidateQueries({ queryKey: keys.conversation(id) });
  }
}

/**
 * Conversations an expunge or a deleted folder left empty and removed (core's
 * settleConversations): refreshed too, so a view open on one says it is gone.
 */
function removedConversations(data: unknown): number[] {
  const ids = (data as { conversationsRemoved?: unknown } | null)?.conversationsRemoved;
  return Array.isArray(ids) ? ids.filter((id): id is number => typeof id === "number") : [];
}
