import path from "node:path";
import { deliver } from "@madoguchi/core";
import { openDb } from "@madoguchi/db/client";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail, useTeamEnv } from "../../core/test/fixtures";
import { drivers, type TestEnv } from "../../core/test/harness";
import type { ServerMessage } from "../src/realtime/protocol";
import { startTestServer, TestClient, type TestServer } from "./support";

// Two server processes' worth of state on one PostgreSQL: separate pools, change feeds and
// socket.io servers, joined only by the database (LISTEN/NOTIFY and the socket.io adapter).
// PostgreSQL only (PGlite is one process by design): runs when TEST_DATABASE_URL is set, as in CI.
for (const driver of drivers.filter((d) => d === "postgres"))
  describe("two servers on one PostgreSQL", () => {
    const state = useTeamEnv(driver);
    let one: TestServer;
    let two: TestServer;
    let secondDb: Awaited<ReturnType<typeof openDb>>;

    beforeAll(async () => {
      secondDb = await openDb({ url: state.env.url });
      const env2: TestEnv = {
        ...state.env,
        ctx: { db: secondDb.db, blobs: new FsBlobStore(path.join(state.env.dir, "blobs")) },
        listen: (channel, onPayload) => secondDb.listen(channel, onPayload),
      };
      one = await startTestServer(state.env);
      two = await startTestServer(env2);
    });
    afterAll(async () => {
      await one?.close();
      await two?.close();
      await secondDb?.close();
    });

    it("a change made through one server reaches a client of the other within a second, presence too", async () => {
      const c = await deliver(state.env.ctx, state.team.info.id, mail({ subject: "二台構成" }));
      const conversationId = c.conversationId as number;
      const aliceOnOne = new TestClient(one.url);
      const bobOnTwo = new TestClient(two.url);
      await aliceOnOne.login("alice@example.co.jp", "correct horse 1");
      await bobOnTwo.login("bob@example.co.jp", "correct horse 2");
      const a = await aliceOnOne.connect();
      const b = await bobOnTwo.connect();
      try {
        await a.send({ type: "join", inboxId: state.team.info.id });
        await b.send({ type: "join", inboxId: state.team.info.id });

        const started = performance.now();
        await bobOnTwo.trpc.conversation.setStatus.mutate({ conversationId, status: "done" });
        const nudge = await a.waitFor((m) => m.type === "inbox_advanced", 1000);
        expect(performance.now() - started).toBeLessThan(1000);
        expect(nudge).toMatchObject({ conversationIds: [conversationId] });
        // Exactly one nudge per change even with two nodes (each emits only to its own sockets).
        await new Promise((r) => setTimeout(r, 200));
        expect(a.received.filter((r) => r.message.type === "inbox_advanced")).toHaveLength(1);

        await a.send({ type: "presence", conversationId, state: "replying" });
        const seen = (await b.waitFor(
          (m) => m.type === "presence" && m.entry?.state === "replying",
          2000,
        )) as Extract<ServerMessage, { type: "presence" }>;
        expect(seen.entry?.userName).toBe("佐藤 愛");
        const listed = await b.send({ type: "presence_list", inboxId: state.team.info.id });
        expect(
          listed.ok && listed.type === "presence_list" ? listed.entries.map((e) => e.userId) : [],
        ).toEqual([state.team.alice.id]);

        await bobOnTwo.trpc.comment.add.mutate({ conversationId, body: "@alice 見ました" });
        await a.waitFor((m) => m.type === "notification", 2000);
      } finally {
        aliceOnOne.closeSockets();
        bobOnTwo.closeSockets();
      }
    });
  });
