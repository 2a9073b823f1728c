import type http from "node:http";
import {
  canAccessInbox,
  findSessionUser,
  findSessionUserById,
  getConversation,
  isAppError,
} from "@madoguchi/core";
import { createAdapter } from "@socket.io/postgres-adapter";
import pg from "pg";
import { Server, type Socket } from "socket.io";
import type { ApiRuntime } from "../deps";
import { originMatchesHost, sessionTokenOf } from "../http/cookies";
import type { RealtimeEvents } from "./events";
import { InboxFollowers } from "./followers";
import {
  type ClientMessage,
  type ClientReply,
  type ClientToServerEvents,
  type InterServerEvents,
  type PresenceEntry,
  REALTIME_PATH,
  REALTIME_PROTOCOL_VERSION,
  type ServerMessage,
  type ServerToClientEvents,
  type SocketData,
} from "./protocol";

export const DEFAULT_PRESENCE_TTL_MS = 45_000;
/** How often every connection's session and rooms are checked again (covers CLI membership changes). */
export const DEFAULT_RECHECK_MS = 60_000;

type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const inboxRoom = (id: number) => `inbox:${id}`;
const userRoom = (id: number) => `user:${id}`;
const sessionRoom = (id: string) => `session:${id}`;
const inboxOfRoom = (room: string) => (room.startsWith("inbox:") ? Number(room.slice(6)) : null);

export interface RunningRealtime {
  io: IoServer;
  events: RealtimeEvents;
  close(): Promise<void>;
}

/**
 * socket.io on the HTTP server: handshake by session cookie (and same-origin check), inbox
 * rooms for members only, nudges from the change log, presence with TTL, and user rooms for
 * notifications. On PostgreSQL the rooms span every server process (PostgreSQL adapter).
 */
export async function attachRealtime(httpServer: http.Server, runtime: ApiRuntime): Promise<RunningRealtime> {
  const { deps } = runtime;
  const ctx = deps.ctx;
  const ttlMs = deps.realtime?.presenceTtlMs ?? DEFAULT_PRESENCE_TTL_MS;
  const onError = deps.onError ?? ((err: unknown) => console.error("madoguchi realtime:", err));
  const io: IoServer = new Server(httpServer, {
    path: REALTIME_PATH,
    serveClient: false,
    // Cross-site pages get no socket: their Origin differs from our Host (the cookie is also SameSite=Lax).
    allowRequest: (req, cb) => cb(null, originMatchesHost(req)),
  });
  let pool: pg.Pool | null = null;
  if (deps.databaseUrl) {
    pool = new pg.Pool({ connectionString: deps.databaseUrl, max: 4 });
    pool.on("error", onError);
    io.adapter(createAdapter(pool, { errorHandler: onError }));
  }
  const emitLocal = (room: string, message: ServerMessage) => io.local.to(room).emit("server", message);
  const followers = new InboxFollowers(
    ctx,
    deps.feed,
    (inboxId, seq, conversationIds) =>
      emitLocal(inboxRoom(inboxId), { type: "inbox_advanced", inboxId, seq, conversationIds }),
    onError,
  );
  const conversationInbox = new Map<number, number>();

  const stopIfUnused = (inboxId: number) => {
    if (!io.of("/").adapter.rooms.get(inboxRoom(inboxId))?.size) followers.stop(inboxId);
  };

  const endPresence = (socket: IoSocket) => {
    const p = socket.data.presence;
    if (!p) return;
    socket.data.presence = null;
    io.to(inboxRoom(p.inboxId)).emit("server", {
      type: "presence",
      inboxId: p.inboxId,
      conversationId: p.conversationId,
      connectionId: p.connectionId,
      entry: null,
    });
  };

  const leaveInbox = (socket: IoSocket, inboxId: number) => {
    if (socket.data.presence?.inboxId === inboxId) endPresence(socket);
    socket.leave(inboxRoom(inboxId));
    stopIfUnused(inboxId);
  };

  /** Re-checks a connection: session still valid, still a member of every joined inbox. */
  const recheck = async (socket: IoSocket) => {
    const user = await findSessionUserById(ctx, socket.data.sessionId);
    if (!user) {
      socket.emit("server", { type: "session_ended" });
      socket.disconnect(true);
      return;
    }
    for (const room of socket.rooms) {
      const inboxId = inboxOfRoom(room);
      if (inboxId === null || (await canAccessInbox(ctx.db, user.id, inboxId))) continue;
      leaveInbox(socket, inboxId);
      socket.emit("server", { type: "room_left", inboxId, reason: "membership" });
    }
  };

  const recheckUsers = (userIds: number[]) => {
    for (const socket of io.of("/").sockets.values())
      if (userIds.includes(socket.data.userId)) recheck(socket).catch(onError);
  };
  io.on("recheck", recheckUsers);

  io.use((socket, next) => {
    const token = sessionTokenOf(socket.request);
    (token ? findSessionUser(ctx, token) : Promise.resolve(null)).then(
      (found) => {
        if (!found) return next(new Error("unauthenticated"));
        socket.data = {
          userId: found.user.id,
          userName: found.user.name,
          sessionId: found.sessionId,
          presence: null,
        };
        next();
      },
      (err) => {
        onError(err);
        next(new Error("unavailable"));
      },
    );
  });

  io.on("connection", (socket) => {
    socket.join([userRoom(socket.data.userId), sessionRoom(socket.data.sessionId)]);
    socket.emit("server", {
      type: "hello",
      version: REALTIME_PROTOCOL_VERSION,
      userId: socket.data.userId,
      connectionId: socket.id,
      presenceTtlMs: ttlMs,
    });
    socket.on("client", (message, reply) => {
      const answer = typeof reply === "function" ? reply : () => {};
      handle(socket, message).then(answer, (err: unknown) => {
        if (isAppError(err, "FORBIDDEN"))
          return answer({ ok: false, error: "FORBIDDEN", message: err.message });
        if (isAppError(err, "NOT_FOUND"))
          return answer({ ok: false, error: "NOT_FOUND", message: err.message });
        onError(err);
        answer({ ok: false, error: "INTERNAL", message: "Internal error" });
      });
    });
    socket.on("disconnecting", () => {
      endPresence(socket);
      const inboxIds = [...socket.rooms].map(inboxOfRoom).filter((id): id is number => id !== null);
      // Rooms are left after this event: look once they are.
      setImmediate(() => {
        for (const id of inboxIds) stopIfUnused(id);
      });
    });
  });

  const bad = (message: string): ClientReply => ({ ok: false, error: "BAD_REQUEST", message });
  const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

  async function handle(socket: IoSocket, message: ClientMessage): Promise<ClientReply> {
    if (!message || typeof message !== "object") return bad("Not a message");
    switch (message.type) {
      case "join": {
        if (!isId(message.inboxId)) return bad("inboxId");
        if (!(await canAccessInbox(ctx.db, socket.data.userId, message.inboxId)))
          return { ok: false, error: "FORBIDDEN", message: "You are not a member of this inbox" };
        await socket.join(inboxRoom(message.inboxId));
        const seq = await followers.ensure(message.inboxId);
        return { ok: true, type: "joined", inboxId: message.inboxId, seq };
      }
      case "leave": {
        if (!isId(message.inboxId)) return bad("inboxId");
        leaveInbox(socket, message.inboxId);
        return { ok: true, type: "left", inboxId: message.inboxId };
      }
      case "presence": {
        if (!isId(message.conversationId)) return bad("conversationId");
        if (message.state === null) {
          endPresence(socket);
          return { ok: true, type: "presence_set", entry: null };
        }
        if (message.state !== "viewing" && message.state !== "replying") return bad("state");
        let inboxId = conversationInbox.get(message.conversationId);
        if (inboxId === undefined) {
          inboxId = (await getConversation(ctx, message.conversationId, socket.data.userId)).inboxId;
          conversationInbox.set(message.conversationId, inboxId);
        }
        if (!socket.rooms.has(inboxRoom(inboxId)))
          return { ok: false, error: "NOT_JOINED", message: "Join the conversation's inbox first" };
        if (socket.data.presence && socket.data.presence.conversationId !== message.conversationId)
          endPresence(socket);
        const entry: PresenceEntry = {
          inboxId,
          conversationId: message.conversationId,
          userId: socket.data.userId,
          userName: socket.data.userName,
          connectionId: socket.id,
          state: message.state,
          expiresAt: new Date(Date.now() + ttlMs).toISOString(),
        };
        socket.data.presence = entry;
        io.to(inboxRoom(inboxId)).emit("server", {
          type: "presence",
          inboxId,
          conversationId: entry.conversationId,
          connectionId: socket.id,
          entry,
        });
        return { ok: true, type: "presence_set", entry };
      }
      case "presence_list": {
        if (!isId(message.inboxId)) return bad("inboxId");
        if (!socket.rooms.has(inboxRoom(message.inboxId)))
          return { ok: false, error: "NOT_JOINED", message: "Join the inbox first" };
        const now = Date.now();
        const sockets = await io.in(inboxRoom(message.inboxId)).fetchSockets();
        const entries = sockets
          .map((s) => s.data.presence)
          .filter(
            (p): p is PresenceEntry =>
              p !== null && p.inboxId === message.inboxId && Date.parse(p.expiresAt) > now,
          );
        return { ok: true, type: "presence_list", inboxId: message.inboxId, entries };
      }
      default:
        return bad("Unknown message type");
    }
  }

  // Presence nobody renewed (a laptop went to sleep with the socket still open) ends by itself.
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const socket of io.of("/").sockets.values()) {
        const p = socket.data.presence;
        if (p && Date.parse(p.expiresAt) <= now) endPresence(socket);
      }
    },
    Math.max(250, Math.floor(ttlMs / 3)),
  );
  const periodic = setInterval(() => {
    for (const socket of io.of("/").sockets.values()) recheck(socket).catch(onError);
  }, deps.realtime?.recheckMs ?? DEFAULT_RECHECK_MS);
  sweep.unref();
  periodic.unref();

  const events: RealtimeEvents = {
    notify(userId, notification) {
      io.to(userRoom(userId)).emit("server", { type: "notification", notification });
    },
    readState(userId, conversationId, readSeq) {
      io.to(userRoom(userId)).emit("server", { type: "read_state", conversationId, readSeq });
    },
    membershipChanged(userIds) {
      if (!userIds.length) return;
      recheckUsers(userIds);
      // The in-memory adapter has no other nodes (and refuses serverSideEmit).
      if (pool) io.serverSideEmit("recheck", userIds);
    },
    sessionsEnded(target) {
      if (target.sessionId) {
        io.to(sessionRoom(target.sessionId)).emit("server", { type: "session_ended" });
        io.in(sessionRoom(target.sessionId)).disconnectSockets(true);
        return;
      }
      io.in(userRoom(target.userId))
        .fetchSockets()
        .then((sockets) => {
          for (const s of sockets) {
            if (s.data.sessionId === target.exceptSessionId) continue;
            s.emit("server", { type: "session_ended" });
            s.disconnect(true);
          }
        })
        .catch(onError);
    },
  };
  runtime.events = events;

  return {
    io,
    events,
    async close() {
      clearInterval(sweep);
      clearInterval(periodic);
      followers.stopAll();
      io.disconnectSockets(true);
      // io.close() would also close the HTTP server, which belongs to the caller.
      await new Promise<void>((resolve) => {
        io.engine.close();
        resolve();
      });
      io.of("/").adapter.close?.();
      await pool?.end().catch(() => {});
    },
  };
}
