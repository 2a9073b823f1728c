// IMAP benchmark: SELECT on 100,000 messages, UID FETCH 1:* (FLAGS ENVELOPE) and SEARCH BODY
// on 10,000, IDLE notification latency, and server memory per idle connection (2,000 IDLE
// clients in a child process). PGlite and PostgreSQL (BENCH_DATABASE_URL / TEST_DATABASE_URL /
// 127.0.0.1:5432). Rows and blobs are bulk-seeded (deliver() would take minutes for 100k).
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import type { DriverName } from "@madoguchi/db/client";
import { inboxes, mailboxes, messages, users } from "@madoguchi/db/schema";
import { type FsBlobStore, sha256Hex } from "@madoguchi/mail/blob-store";
import argon2 from "argon2";
import { eq, sql } from "drizzle-orm";
import { CHANGES_CHANNEL, ChangeFeed, deliver, listMailboxes } from "../packages/core/src/index";
import { createTeam } from "../packages/core/test/fixtures";
import { createTestEnv, type TestEnv } from "../packages/core/test/harness";
import { createImapServer } from "../packages/imap/src/index";
import { RawClient } from "../packages/imap/test/helpers";
import { benchDrivers } from "./drivers";
import { percentile, printTable } from "./stats";

const BIG = 100_000;
const MEDIUM = 10_000;
const IDLE_CONNECTIONS = 2_000;
const IDLE_SAMPLES = 100;
const TIME_BUDGET_MS = 60_000;

v8.setFlagsFromString("--expose_gc");
const gc = runInNewContext("gc") as () => void;

function message(n: number): Buffer {
  const ja = n % 2 === 0;
  const subject = ja ? `請求書 ${n} のご送付` : `Invoice ${n} attached`;
  const body = ja
    ? `お世話になっております。請求書番号 ${n} をお送りします。\r\nご確認のほどよろしくお願いいたします。\r\n`
    : `Hello, please find invoice number ${n} attached.\r\nBest regards\r\n`;
  return Buffer.from(
    [
      `From: =?UTF-8?B?${Buffer.from("取引先 経理部").toString("base64")}?= <billing${n % 50}@customer.example>`,
      "To: info@example.co.jp",
      `Subject: =?UTF-8?B?${Buffer.from(subject).toString("base64")}?=`,
      `Message-ID: <bench-${n}@customer.example>`,
      "Date: Fri, 27 Nov 2026 10:00:00 +0900",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=UTF-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      body.repeat(6),
    ].join("\r\n"),
  );
}

/** Writes blobs straight into the store's layout and rows in batches: a seed, not a delivery. */
async function seed(env: TestEnv, inboxId: number, mailboxId: number, count: number, distinctBlobs: number) {
  const store = env.ctx.blobs as FsBlobStore;
  const blobs: { hash: string; size: number; n: number }[] = [];
  for (let n = 0; n < distinctBlobs; n++) {
    const raw = message(n);
    const hash = sha256Hex(raw);
    const file = store.pathOf(hash);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, raw);
    blobs.push({ hash, size: raw.length, n });
  }
  const BATCH = 2000;
  for (let i = 0; i < count; i += BATCH) {
    const rows = [];
    for (let j = i; j < Math.min(count, i + BATCH); j++) {
      const b = blobs[j % blobs.length] as (typeof blobs)[number];
      rows.push({
        inboxId,
        mailboxId,
        uid: j + 1,
        modseq: 1,
        flags: j % 3 === 0 ? ["\\Flagged"] : [],
        blobHash: b.hash,
        size: b.size,
        subject: b.n % 2 === 0 ? `請求書 ${b.n} のご送付` : `Invoice ${b.n} attached`,
        fromAddress: `billing${b.n % 50}@customer.example`,
        fromName: "取引先 経理部",
        bodyText:
          b.n % 2 === 0
            ? `お世話になっております。請求書番号 ${b.n} をお送りします。`.repeat(6)
            : `Hello, please find invoice number ${b.n} attached.`.repeat(6),
      });
    }
    await env.ctx.db.insert(messages).values(rows);
  }
  await env.ctx.db
    .update(mailboxes)
    .set({ uidNext: count + 1, highestModseq: 1 })
    .where(eq(mailboxes.id, mailboxId));
  await env.ctx.db
    .update(inboxes)
    .set({ modseq: sql`greatest(${inboxes.modseq}, 1)` })
    .where(eq(inboxes.id, inboxId));
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const CHILD = `
import net from "node:net";
const [port, count] = process.argv.slice(1).map(Number);
let ready = 0;
const sockets = [];
function one() {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    sockets.push(s);
    let buf = "";
    let step = 0;
    s.on("error", reject);
    s.on("data", (d) => {
      buf += d.toString();
      if (step === 0 && buf.includes("\\r\\n")) { step = 1; buf = ""; s.write('a LOGIN alice@example.co.jp "correct horse 1"\\r\\n'); }
      else if (step === 1 && /^a OK/m.test(buf)) { step = 2; buf = ""; s.write("b SELECT INBOX\\r\\n"); }
      else if (step === 2 && /^b OK/m.test(buf)) { step = 3; buf = ""; s.write("c IDLE\\r\\n"); }
      else if (step === 3 && buf.includes("+ idling")) { step = 4; buf = ""; resolve(); }
    });
  });
}
for (let i = 0; i < count; i += 50) await Promise.all(Array.from({ length: Math.min(50, count - i) }, one));
console.log("ready");
setInterval(() => {}, 1000);
`;

async function idleMemory(port: number): Promise<{ perConnKb: number; connections: number }> {
  gc();
  const before = process.memoryUsage();
  const child = spawn(
    process.execPath,
    ["--input-type=module", "-e", CHILD, String(port), String(IDLE_CONNECTIONS)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("idle clients not ready in time")), TIME_BUDGET_MS);
      child.stdout.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on("exit", () => reject(new Error("idle client process exited")));
    });
    await new Promise((r) => setTimeout(r, 500));
    gc();
    const after = process.memoryUsage();
    const delta = after.heapUsed + after.external - (before.heapUsed + before.external);
    const rssDelta = after.rss - before.rss;
    return { perConnKb: Math.max(delta, rssDelta) / IDLE_CONNECTIONS / 1024, connections: IDLE_CONNECTIONS };
  } finally {
    child.kill();
  }
}

async function runDriver(driver: DriverName): Promise<(string | number)[][]> {
  const env = await createTestEnv(driver, { pgliteDir: driver === "pglite" });
  const feed = new ChangeFeed(env.listen);
  await feed.start(CHANGES_CHANNEL);
  const server = createImapServer({ ctx: env.ctx, feed, allowInsecureAuth: true, log: () => {} });
  try {
    const team = await createTeam(env.ctx);
    // Cheap password hashes: 2,000 logins with production argon2 settings would measure argon2.
    const cheap = await argon2.hash("correct horse 1", {
      type: argon2.argon2id,
      memoryCost: 1024,
      timeCost: 1,
    });
    await env.ctx.db.update(users).set({ passwordHash: cheap }).where(eq(users.id, team.alice.id));
    const boxes = await listMailboxes(env.ctx, team.alice.id);
    const shared = (name: string) => boxes.find((b) => b.inboxKind === "shared" && b.name === name);
    const big = shared("INBOX");
    const medium = shared("Archive");
    if (!big || !medium) throw new Error("mailboxes missing");
    const tSeed = performance.now();
    await seed(env, team.info.id, big.id, BIG, 1000);
    await seed(env, team.info.id, medium.id, MEDIUM, MEDIUM);
    const seedS = ((performance.now() - tSeed) / 1000).toFixed(1);
    const { port } = await server.listen(0, "127.0.0.1");
    const c = await RawClient.connect(port);
    await c.login();
    const rows: (string | number)[][] = [];
    const select: number[] = [];
    for (let i = 0; i < 3; i++)
      select.push(await timed(() => c.cmd("s", 'SELECT "Shared/info@example.co.jp/INBOX"')));
    rows.push([
      driver,
      `SELECT ${BIG.toLocaleString()} messages`,
      percentile(
        select.sort((a, b) => a - b),
        50,
      ).toFixed(0),
      `seed ${seedS} s`,
    ]);
    await c.cmd("m", 'SELECT "Shared/info@example.co.jp/Archive"');
    const cold = await timed(() => c.cmd("f", "UID FETCH 1:* (FLAGS ENVELOPE)"));
    const warm = await timed(() => c.cmd("f", "UID FETCH 1:* (FLAGS ENVELOPE)"));
    rows.push([
      driver,
      `UID FETCH 1:* (FLAGS ENVELOPE), ${MEDIUM.toLocaleString()}`,
      warm.toFixed(0),
      `cold cache ${cold.toFixed(0)} ms`,
    ]);
    const ja = await timed(() => c.cmd("q", "UID SEARCH CHARSET UTF-8 BODY {9+}\r\n請求書"));
    const en = await timed(() => c.cmd("q", "UID SEARCH BODY invoice"));
    const miss = await timed(() => c.cmd("q", "UID SEARCH BODY 見つからない語"));
    rows.push([
      driver,
      `SEARCH BODY, ${MEDIUM.toLocaleString()} ja/en`,
      ja.toFixed(0),
      `en ${en.toFixed(0)} ms, no match ${miss.toFixed(0)} ms`,
    ]);
    c.close();

    // IDLE latency: commit of a delivery → "* n EXISTS" at an IDLE client.
    const personalInbox = boxes.find((b) => b.inboxKind === "personal")?.inboxId ?? 0;
    const idler = await RawClient.connect(port);
    await idler.login();
    await idler.cmd("s", "SELECT INBOX");
    idler.write("i IDLE\r\n");
    await idler.readUntil(/^\+ idling/m);
    idler.take();
    const lat: number[] = [];
    const deadline = performance.now() + TIME_BUDGET_MS;
    for (let n = 1; n <= IDLE_SAMPLES && performance.now() < deadline; n++) {
      await deliver(env.ctx, personalInbox, message(900_000 + n));
      const t0 = performance.now();
      await idler.readUntil(new RegExp(`^\\* ${n} EXISTS`, "m"), 5000);
      lat.push(performance.now() - t0);
      idler.take();
    }
    idler.write("DONE\r\n");
    await idler.reply("i");
    idler.close();
    lat.sort((a, b) => a - b);
    rows.push([
      driver,
      `IDLE latency, ${lat.length} deliveries`,
      percentile(lat, 50).toFixed(1),
      `p99 ${percentile(lat, 99).toFixed(1)} ms`,
    ]);

    const mem = await idleMemory(port);
    rows.push([
      driver,
      `memory per IDLE connection (${mem.connections})`,
      "",
      `${mem.perConnKb.toFixed(1)} KB`,
    ]);
    return rows;
  } finally {
    await server.close();
    await feed.close();
    await env.close();
  }
}

export async function imapBench(): Promise<void> {
  const driverList = await benchDrivers();
  const rows: (string | number)[][] = [];
  for (const driver of driverList) rows.push(...(await runDriver(driver)));
  console.log(
    "\nimap: plain TCP on 127.0.0.1, client in the same process (memory: clients in a child process)",
  );
  printTable(["driver", "case", "ms (p50)", "notes"], rows);
}

if (process.argv[1]?.endsWith("imap.ts")) await imapBench();
