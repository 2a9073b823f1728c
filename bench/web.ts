// Web bench (issue 5): conversation-list latency through the API with 100,000 conversations
// in one inbox on PostgreSQL (first page, by status, search), and realtime latency from a
// mutation to the nudge arriving at 200 connected socket.io clients. Bounded in count and time.
import { postgresClient } from "@madoguchi/db/pg-url";
import type { RealtimeClient } from "../packages/api/test/support";
import { startTestServer, TestClient } from "../packages/api/test/support";
import { createTeam } from "../packages/core/test/fixtures";
import { createTestEnv } from "../packages/core/test/harness";
import { benchDatabaseUrl } from "./drivers";
import { percentile, printTable } from "./stats";

const CONVERSATIONS = 100_000;
const LIST_SAMPLES = 100;
const REALTIME_CLIENTS = 200;
const REALTIME_MUTATIONS = 40;
const PHASE_BUDGET_MS = 30_000;
/** One conversation in this many is assigned to alice (the "assigned to me" list). */
const ASSIGNED_EVERY = 20;

/** One message per conversation, 2% of them mentioning 請求書, statuses spread over the four. */
export async function seedConversations(url: string, inboxId: number): Promise<void> {
  const sql = postgresClient(url, { max: 1, onnotice: () => {} });
  try {
    const [mailbox] = await sql`select id from mailboxes where inbox_id = ${inboxId} and name = 'INBOX'`;
    await sql`
      insert into conversations (inbox_id, subject, normalized_subject, customer_address, customer_name, status,
        message_count, last_message_at, last_inbound_at, last_seq, guard_seq)
      select ${inboxId}, 'お問い合わせ ' || g, 'お問い合わせ ' || g, 'customer' || g || '@example.net', '顧客 ' || g,
        (array['open','in_progress','waiting','done'])[1 + g % 4], 1,
        timestamptz '2026-01-01' + g * interval '1 minute', timestamptz '2026-01-01' + g * interval '1 minute', g, g
      from generate_series(1, ${CONVERSATIONS}) g`;
    // The application computes messages.search_grams (searchGramsOf in packages/core); for rows
    // made here in SQL, the same distinct characters and pairs, by a function of this session.
    await sql`
      create function pg_temp.grams(t text) returns text[] language sql immutable as $$
        select coalesce(array_agg(distinct g), '{}') from (
          select unnest(array[ch, ch || lead(ch) over (order by i)]) as g
          from unnest(string_to_array(lower(t), null)) with ordinality as u(ch, i)) x
        where g is not null and g !~ '\\s' $$`;
    await sql`
      insert into messages (inbox_id, mailbox_id, conversation_id, uid, modseq, blob_hash, size, subject,
        from_address, from_name, "to", snippet, body_text, internal_date, direction, search_grams)
      select m.*, pg_temp.grams(m.subject || ' ' || m.body || ' ' || m.address || ' ' || m.name || ' info@example.co.jp')
      from (select c.inbox_id, ${mailbox?.id}::int, c.id, row_number() over (order by c.id), c.last_seq, repeat('0', 64), 2000,
        c.subject, c.customer_address as address, c.customer_name as name,
        '[{"name":"","address":"info@example.co.jp"}]'::jsonb,
        'お問い合わせ番号 ' || c.last_seq, 'お問い合わせ番号 ' || c.last_seq ||
          case when c.last_seq % 50 = 0 then ' 請求書の再発行をお願いします。' else ' 配送状況を教えてください。' end ||
          repeat(' いつもお世話になっております。商品について確認させてください。', 20) as body,
        c.last_message_at, 'inbound'
      from conversations c where c.inbox_id = ${inboxId}) m`;
    await sql`update inboxes set modseq = ${CONVERSATIONS} where id = ${inboxId}`;
    await sql`update mailboxes set uid_next = ${CONVERSATIONS + 1}, highest_modseq = ${CONVERSATIONS} where id = ${mailbox?.id}`;
    // What autovacuum would have done by then: statistics and the visibility map (index-only counts).
    await sql`vacuum analyze conversations`;
    await sql`vacuum analyze messages`;
  } finally {
    await sql.end();
  }
}

async function assignEvery(url: string, inboxId: number, userId: number, every: number): Promise<void> {
  const sql = postgresClient(url, { max: 1, onnotice: () => {} });
  try {
    await sql`update conversations set assignee_id = ${userId} where inbox_id = ${inboxId} and id % ${every} = 0`;
    await sql`vacuum analyze conversations`;
  } finally {
    await sql.end();
  }
}

async function time(samples: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  const deadline = performance.now() + PHASE_BUDGET_MS;
  for (let i = 0; i < samples && performance.now() < deadline; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

export async function webBench(): Promise<void> {
  process.env.TEST_DATABASE_URL = benchDatabaseUrl();
  const env = await createTestEnv("postgres");
  const clients: TestClient[] = [];
  let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
  try {
    const team = await createTeam(env.ctx);
    const seeded = performance.now();
    await seedConversations(env.url as string, team.info.id);
    console.log(
      `\nweb: seeded ${CONVERSATIONS} conversations in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
    );
    await assignEvery(env.url as string, team.info.id, team.alice.id, ASSIGNED_EVERY);
    server = await startTestServer(env, { onError: () => {} });
    const alice = new TestClient(server.url);
    await alice.login("alice@example.co.jp", "correct horse 1");
    const inboxId = team.info.id;
    const list = (input: Record<string, unknown>) =>
      alice.trpc.conversation.list.query({ inboxId, limit: 50, ...input });
    const cases: [string, () => Promise<unknown>][] = [
      ["first page (all, with counts)", () => list({})],
      ["by status 未対応 (with counts)", () => list({ status: "open" })],
      [
        "page 20 by status (cursor)",
        (() => {
          let cursor: string | undefined;
          return async () => {
            const r = await list({ status: "open", cursor });
            cursor = r.nextCursor ?? undefined;
          };
        })(),
      ],
      ["search 請求書 (2% match)", () => list({ q: "請求書" })],
      ["search 請求書 + status", () => list({ q: "請求書", status: "open" })],
      ["search customer99999 (rare)", () => list({ q: "customer99999@" })],
      ["search 請求 (2 chars, 2% match)", () => list({ q: "請求" })],
      ["search 納期 (2 chars, no match)", () => list({ q: "納期" })],
      ["search 請求 + status (2 chars)", () => list({ q: "請求", status: "open" })],
      ["search Q (1 char, no match)", () => list({ q: "Q" })],
      [
        `assigned to me (${CONVERSATIONS / ASSIGNED_EVERY}, with counts)`,
        () => alice.trpc.conversation.assigned.query({ limit: 50 }),
      ],
      [
        "assigned to me, 対応中 (with counts)",
        () => alice.trpc.conversation.assigned.query({ limit: 50, status: "in_progress" }),
      ],
      ["inbox.list (counts)", () => alice.trpc.inbox.list.query()],
    ];
    const rows: (string | number)[][] = [];
    for (const [label, fn] of cases) {
      await fn();
      const t = await time(LIST_SAMPLES, fn);
      rows.push([label, t.length, percentile(t, 50).toFixed(1), percentile(t, 95).toFixed(1)]);
    }
    console.log(
      `web: conversation list through tRPC over HTTP, ${CONVERSATIONS} conversations, 50 rows a page`,
    );
    printTable(["query", "samples", "p50 ms", "p95 ms"], rows);

    // Realtime: 200 sockets (one session each would cost 200 argon2 logins; the fan-out is what is measured).
    const sockets: RealtimeClient[] = [];
    for (let i = 0; i < REALTIME_CLIENTS; i++) {
      const c = new TestClient(server.url);
      c.cookie = alice.cookie;
      clients.push(c);
      const s = await c.connect();
      await s.send({ type: "join", inboxId });
      sockets.push(s);
    }
    const bob = new TestClient(server.url);
    await bob.login("bob@example.co.jp", "correct horse 2");
    const conversationId = (await list({})).rows[0]?.id as number;
    const latencies: number[] = [];
    const roundTrips: number[] = [];
    const deadline = performance.now() + PHASE_BUDGET_MS;
    for (let i = 0; i < REALTIME_MUTATIONS && performance.now() < deadline; i++) {
      for (const s of sockets) s.clear();
      const t0 = performance.now();
      const r = await bob.trpc.conversation.setStatus.mutate({
        conversationId,
        status: i % 2 ? "open" : "in_progress",
      });
      roundTrips.push(performance.now() - t0);
      const seq = r.seq ?? 0;
      const arrivals = await Promise.all(
        sockets.map((s) =>
          s
            .waitFor((m) => m.type === "inbox_advanced" && m.seq >= seq, 5000)
            .then(() => s.received.find((x) => x.message.type === "inbox_advanced")?.at ?? Number.NaN),
        ),
      );
      for (const at of arrivals) latencies.push(at - t0);
    }
    latencies.sort((a, b) => a - b);
    roundTrips.sort((a, b) => a - b);
    console.log(
      `web: realtime, ${REALTIME_CLIENTS} socket.io clients in the inbox room, ${roundTrips.length} status changes`,
    );
    printTable(
      ["measure", "samples", "p50 ms", "p99 ms"],
      [
        [
          "mutation sent → nudge received (every client)",
          latencies.length,
          percentile(latencies, 50).toFixed(1),
          percentile(latencies, 99).toFixed(1),
        ],
        [
          "mutation round trip (setStatus)",
          roundTrips.length,
          percentile(roundTrips, 50).toFixed(1),
          percentile(roundTrips, 99).toFixed(1),
        ],
      ],
    );
  } finally {
    for (const c of clients) c.closeSockets();
    await server?.close();
    await env.close();
  }
}
