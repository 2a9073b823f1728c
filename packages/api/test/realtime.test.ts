import { addUser, deliver } from "@madoguchi/core";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail, useTeamEnv } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import type { PresenceEntry, ServerMessage } from "../src/realtime/protocol";
import { startTestServer, TestClient, type TestServer } from "./support";
// The multi-node suite (PostgreSQL only) registers itself here, beside the single-node realtime tests.
import "./multinode.suite";

type Msg<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;
const is =
  <T extends ServerMessage["type"]>(type: T, extra: (m: Msg<T>) => boolean = () => true) =>
  (m: ServerMessage): m is Msg<T> =>
    m.type === type && extra(m as Msg<T>);

describe.each(drivers)("realtime over socket.io (%s)", (driver) => {
  const state = useTeamEnv(driver);
  let server: TestServer;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;
  let conversationId = 0;

  beforeAll(async () => {
    server = await startTestServer(state.env, { realtime: { presenceTtlMs: 1500 } });
    const d = await deliver(state.env.ctx, state.team.info.id, mail({ subject: "至急" }));
    conversationId = d.conversationId as number;
    alice = new TestClient(server.url);
    bob = new TestClient(server.url);
    carol = new TestClient(server.url);
    await Promise.all([
      alice.login("alice@example.co.jp", "correct horse 1"),
      bob.login("bob@example.co.jp", "correct horse 2"),
      carol.login("carol@example.co.jp", "correct horse 3"),
    ]);
  });
  afterAll(async () => {
    for (const c of [alice, bob, carol]) c?.closeSockets();
    await server?.close();
  });

  it("refuses a socket without a valid session", async () => {
    const socket = io(server.url, { transports: ["websocket"], reconnection: false, forceNew: true });
    const err = await new Promise<Error>((resolve) => socket.once("connect_error", resolve));
    expect(err.message).toBe("unauthenticated");
    socket.disconnect();
  });

  it("brings a status change by one client to another within a second, then catch-up over tRPC", async () => {
    const a = await alice.connect();
    const joined = await a.send({ type: "join", inboxId: state.team.info.id });
    expect(joined).toMatchObject({ ok: true, type: "joined" });
    const fromSeq = joined.ok && joined.type === "joined" ? joined.seq : 0;
    const started = performance.now();
    await bob.trpc.conversation.setStatus.mutate({ conversationId, status: "in_progress" });
    const nudge = await a.waitFor(is("inbox_advanced"), 1000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(nudge).toMatchObject({ inboxId: state.team.info.id, conversationIds: [conversationId] });
    expect(nudge.seq).toBeGreaterThan(fromSeq);
    const pulled = await alice.trpc.changes.since.query({ inboxId: state.team.info.id, afterSeq: fromSeq });
    expect(pulled.changes.map((c) => [c.kind, c.data])).toEqual([
      ["status_changed", { from: "open", to: "in_progress" }],
    ]);
    expect(pulled.head).toBe(nudge.seq);
  });

  it("keeps a non-member out of another inbox's room", async () => {
    const c = await carol.connect();
    const refused = await c.send({ type: "join", inboxId: state.team.info.id });
    expect(refused).toMatchObject({ ok: false, error: "FORBIDDEN" });
    expect(await c.send({ type: "presence_list", inboxId: state.team.info.id })).toMatchObject({
      ok: false,
      error: "NOT_JOINED",
    });
    expect(await c.send({ type: "presence", conversationId, state: "viewing" })).toMatchObject({
      ok: false,
      error: "FORBIDDEN",
    });
    await bob.trpc.conversation.setStatus.mutate({ conversationId, status: "waiting" });
    await new Promise((r) => setTimeout(r, 300));
    expect(c.received.filter((r) => r.message.type === "inbox_advanced")).toEqual([]);
    // Her own inbox is fine.
    const own = (await carol.trpc.inbox.list.query()).inboxes[0];
    expect(await c.send({ type: "join", inboxId: own?.id ?? 0 })).toMatchObject({ ok: true });
  });

  it("shows who is replying, lists presence after a join, and ends it on disconnect or TTL", async () => {
    const a = await alice.connect();
    const b = await bob.connect();
    await a.send({ type: "join", inboxId: state.team.info.id });
    await b.send({ type: "join", inboxId: state.team.info.id });
    const set = await a.send({ type: "presence", conversationId, state: "replying" });
    expect(set).toMatchObject({ ok: true, type: "presence_set" });
    const seen = await b.waitFor(
      is("presence", (m) => m.entry?.state === "replying"),
      1000,
    );
    expect(seen.entry).toMatchObject({ conversationId, userId: state.team.alice.id, userName: "佐藤 愛" });
    const listed = await b.send({ type: "presence_list", inboxId: state.team.info.id });
    const entries = listed.ok && listed.type === "presence_list" ? listed.entries : [];
    expect(entries.map((e: PresenceEntry) => [e.userName, e.state])).toEqual([["佐藤 愛", "replying"]]);

    // Not renewed: it expires by itself (TTL 1.5 s in this test).
    await b.waitFor(
      is("presence", (m) => m.entry === null && m.connectionId === a.socket.id),
      4000,
    );

    await a.send({ type: "presence", conversationId, state: "viewing" });
    await b.waitFor(
      is("presence", (m) => m.entry?.state === "viewing"),
      1000,
    );
    b.clear();
    a.socket.disconnect();
    await b.waitFor(
      is("presence", (m) => m.entry === null),
      2000,
    );
  });

  it("pushes @mention notifications to the mentioned user only", async () => {
    const b = await bob.connect();
    const c = await carol.connect();
    await alice.trpc.comment.add.mutate({ conversationId, body: "@bob 確認お願いします" });
    const n = await b.waitFor(is("notification"), 1000);
    expect(n.notification).toMatchObject({
      kind: "mention",
      conversationId,
      actor: { name: "佐藤 愛" },
      subject: "至急",
    });
    expect(c.received.filter((r) => r.message.type === "notification")).toEqual([]);
  });

  it("takes a member out of the room when the admin removes them, and closes sockets at logout", async () => {
    await addUser(state.env.ctx, {
      email: "admin@example.co.jp",
      name: "管理者",
      password: "admin pass 1",
      isAdmin: true,
    });
    const admin = new TestClient(server.url);
    await admin.login("admin@example.co.jp", "admin pass 1");
    const bobLaptop = new TestClient(server.url);
    await bobLaptop.login("bob@example.co.jp", "correct horse 2");
    const b = await bobLaptop.connect();
    await b.send({ type: "join", inboxId: state.team.info.id });
    await admin.trpc.admin.inboxes.changeMembers.mutate({
      inboxId: state.team.info.id,
      remove: [state.team.bob.id],
    });
    await b.waitFor(
      is("room_left", (m) => m.inboxId === state.team.info.id),
      2000,
    );
    b.clear();
    await alice.trpc.conversation.setStatus.mutate({ conversationId, status: "done" });
    await new Promise((r) => setTimeout(r, 300));
    expect(b.received.filter((r) => r.message.type === "inbox_advanced")).toEqual([]);
    expect(await b.send({ type: "join", inboxId: state.team.info.id })).toMatchObject({
      ok: false,
      error: "FORBIDDEN",
    });
    await admin.trpc.admin.inboxes.changeMembers.mutate({
      inboxId: state.team.info.id,
      add: [state.team.bob.id],
    });

    const closed = new Promise<string>((resolve) => b.socket.once("disconnect", resolve));
    await bobLaptop.trpc.auth.logout.mutate();
    await b.waitFor(is("session_ended"), 2000);
    expect(await closed).toBe("io server disconnect");
  });
});
