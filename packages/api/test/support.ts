import http from "node:http";
import type { AddressInfo } from "node:net";
import { AuthThrottle, CHANGES_CHANNEL, ChangeFeed, deliver } from "@madoguchi/core";
import type { DriverName } from "@madoguchi/db/client";
import { createTRPCClient, httpBatchLink, httpLink, TRPCClientError } from "@trpc/client";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, expect } from "vitest";
import { mail, useTeamEnv } from "../../core/test/fixtures";
import type { TestEnv } from "../../core/test/harness";
import { type ApiDeps, type MountedApi, mountApi } from "../src/http/index";
import type {
  ClientMessage,
  ClientReply,
  ClientToServerEvents,
  ServerMessage,
  ServerToClientEvents,
} from "../src/realtime/protocol";
import type { AppRouter } from "../src/root";
import type { ErrorData } from "../src/trpc";

export interface TestServer {
  url: string;
  api: MountedApi;
  feed: ChangeFeed;
  close(): Promise<void>;
}

/** The web API on a real HTTP server at 127.0.0.1, port 0, with its own change feed. */
export async function startTestServer(env: TestEnv, extra: Partial<ApiDeps> = {}): Promise<TestServer> {
  const feed = new ChangeFeed(env.listen);
  await feed.start(CHANGES_CHANNEL);
  let api: MountedApi | undefined;
  const server = http.createServer((req, res) => {
    if (api?.handle(req, res)) return;
    res.writeHead(404).end();
  });
  api = await mountApi(server, {
    ctx: env.ctx,
    feed,
    hostname: "mail.example.co.jp",
    databaseUrl: env.driver === "postgres" ? env.url : undefined,
    throttle: new AuthThrottle(),
    onError: (err) => console.error("test server:", err),
    ...extra,
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const mounted = api;
  return {
    url: `http://127.0.0.1:${port}`,
    api: mounted,
    feed,
    async close() {
      await mounted.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await feed.close();
    },
  };
}

/** A browser stand-in: a cookie jar, the CSRF header, a tRPC client and socket.io sockets. */
export class TestClient {
  cookie = "";
  csrf = true;
  lastSetCookie: string[] = [];
  readonly trpc;
  /** Unbatched: one HTTP request per call (for concurrency tests). */
  readonly single;
  private readonly sockets: Socket[] = [];

  constructor(readonly baseUrl: string) {
    const fetchWithJar = async (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      if (this.cookie) headers.set("cookie", this.cookie);
      if (this.csrf) headers.set("x-madoguchi-csrf", "1");
      const res = await fetch(input, { ...init, headers });
      this.lastSetCookie = res.headers.getSetCookie();
      for (const c of this.lastSetCookie) {
        const [pair] = c.split(";");
        const [name, value] = (pair ?? "").split("=");
        if (name === "madoguchi_session") this.cookie = value ? `madoguchi_session=${value}` : "";
      }
      return res;
    };
    this.trpc = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${baseUrl}/api/trpc`, fetch: fetchWithJar })],
    });
    this.single = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${baseUrl}/api/trpc`, fetch: fetchWithJar })],
    });
  }

  async login(email: string, password: string) {
    return this.trpc.auth.login.mutate({ email, password });
  }

  /** A connected socket.io client with this client's cookie, and its received messages. */
  async connect(): Promise<RealtimeClient> {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(this.baseUrl, {
      transports: ["websocket"],
      extraHeaders: this.cookie ? { cookie: this.cookie } : {},
      reconnection: false,
      forceNew: true,
    });
    this.sockets.push(socket);
    const client = new RealtimeClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    await client.waitFor((m) => m.type === "hello");
    return client;
  }

  closeSockets(): void {
    for (const s of this.sockets) s.disconnect();
  }
}

export class RealtimeClient {
  readonly received: { at: number; message: ServerMessage }[] = [];
  private waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];

  constructor(readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>) {
    socket.on("server", (message) => {
      this.received.push({ at: performance.now(), message });
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(message)) return true;
        w.resolve(message);
        return false;
      });
    });
  }

  send(message: ClientMessage): Promise<ClientReply> {
    return this.socket.timeout(5000).emitWithAck("client", message);
  }

  /** The first message (already received or coming) that matches, within `ms`. */
  waitFor<T extends ServerMessage>(match: (m: ServerMessage) => m is T, ms?: number): Promise<T>;
  waitFor(match: (m: ServerMessage) => boolean, ms?: number): Promise<ServerMessage>;
  waitFor(match: (m: ServerMessage) => boolean, ms = 5000): Promise<ServerMessage> {
    const seen = this.received.find((r) => match(r.message));
    if (seen) return Promise.resolve(seen.message);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching realtime message within ${ms} ms`)), ms);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  clear(): void {
    this.received.length = 0;
  }
}

/** Runs `fn`, expecting a tRPC error with this code; returns its data. */
const PASSWORDS = { alice: "correct horse 1", bob: "correct horse 2", carol: "correct horse 3" };

/** A client logged in as one of createTeam's users (fixtures.ts). */
export async function agent(server: TestServer, name: keyof typeof PASSWORDS): Promise<TestClient> {
  const client = new TestClient(server.url);
  await client.login(`${name}@example.co.jp`, PASSWORDS[name]);
  return client;
}

/** The API server on a team env (useTeamEnv) with alice and bob logged in, for one describe. */
export interface TeamServer {
  state: ReturnType<typeof useTeamEnv>;
  server: TestServer;
  alice: TestClient;
  bob: TestClient;
  /** The core clock the API runs on is moved forward by this: to end a window without waiting. */
  skewMs: number;
}

/** A customer's mail to info@ with this subject (its Message-ID unique per driver): its conversation. */
export async function customerConversation(
  t: TeamServer,
  driver: DriverName,
  subject: string,
): Promise<number> {
  const delivered = await deliver(
    t.state.env.ctx,
    t.state.team.info.id,
    mail({ subject, messageId: `${subject}-${driver}@customer.example` }),
  );
  return delivered.conversationId as number;
}

export function useTeamServer(driver: DriverName, extra: Partial<ApiDeps> = {}): TeamServer {
  const state = useTeamEnv(driver);
  const t = { state, skewMs: 0 } as TeamServer;
  beforeAll(async () => {
    state.env.ctx.now = () => new Date(Date.now() + t.skewMs);
    t.server = await startTestServer(state.env, extra);
    t.alice = await agent(t.server, "alice");
    t.bob = await agent(t.server, "bob");
  });
  afterAll(() => t.server?.close());
  return t;
}

export async function expectTrpcError(fn: () => Promise<unknown>, code: string): Promise<ErrorData> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TRPCClientError);
    const e = err as TRPCClientError<AppRouter>;
    expect(e.data?.code, e.message).toBe(code);
    return e.data as unknown as ErrorData;
  }
  throw new Error(`expected ${code}, but the call succeeded`);
}
