import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deliver, listMessages, setStatus } from "@madoguchi/core";
import type { ImapFlow, MessageStructureObject } from "imapflow";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { writeLargeFixtures } from "../../mail/test/fixtures/make-fixtures";
import { type ImapTestEnv, imapflowClient, startImap } from "./helpers";

const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../mail/test/fixtures");
writeLargeFixtures();
const emlFiles = fs
  .readdirSync(fixturesDir, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".eml"))
  .sort();
const SHARED = "Shared/info@example.co.jp/INBOX";

function leaves(node: MessageStructureObject): MessageStructureObject[] {
  if (node.childNodes?.length && node.type !== "message/rfc822") return node.childNodes.flatMap(leaves);
  return [node];
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function streamToBuffer(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe.each(drivers)("imapflow against the server over TLS (%s)", (driver) => {
  let t: ImapTestEnv;
  let client: ImapFlow;
  /** fixture file → UID in the shared INBOX */
  const uidOf = new Map<string, number>();

  beforeAll(async () => {
    t = await startImap(driver);
    for (const file of emlFiles) {
      const r = await deliver(t.env.ctx, t.team.info.id, fs.readFileSync(path.join(fixturesDir, file)));
      uidOf.set(file, r.uid);
    }
    client = imapflowClient(t.tlsPort);
    await client.connect();
  }, 120_000);
  afterAll(async () => {
    await client?.logout().catch(() => {});
    await t?.close();
  });

  it("lists the personal folders and the shared inbox with special-use", async () => {
    const list = await client.list();
    const byPath = new Map(list.map((m) => [m.path, m]));
    expect(byPath.get("INBOX")).toBeDefined();
    expect(byPath.get(SHARED)).toBeDefined();
    // imapflow gives `specialUse` to one folder per use; the attribute is on the shared one too.
    expect(byPath.get("Shared/info@example.co.jp/Sent")?.flags.has("\\Sent")).toBe(true);
    expect(byPath.get("Trash")?.specialUse).toBe("\\Trash");
  });

  it("gives each fixture a BODYSTRUCTURE whose parts match mailparser's attachments byte for byte", async () => {
    const lock = await client.getMailboxLock(SHARED);
    try {
      const structures = new Map<number, MessageStructureObject>();
      for await (const msg of client.fetch("1:*", { uid: true, bodyStructure: true, envelope: true })) {
        if (msg.bodyStructure) structures.set(msg.uid, msg.bodyStructure);
      }
      let compared = 0;
      for (const file of emlFiles) {
        const uid = uidOf.get(file) as number;
        const structure = structures.get(uid);
        expect(structure, file).toBeDefined();
        const parsed = await simpleParser(fs.readFileSync(path.join(fixturesDir, file)));
        const parts = leaves(structure as MessageStructureObject);
        for (const att of parsed.attachments) {
          const candidates = parts.filter(
            (p) =>
              p.type === att.contentType &&
              (p.dispositionParameters?.filename ?? p.parameters?.name ?? null) === (att.filename ?? null),
          );
          expect(candidates.length, `${file}: ${att.contentType} ${att.filename}`).toBeGreaterThan(0);
          let matched = false;
          for (const c of candidates) {
            const dl = await client.download(String(uid), c.part, { uid: true });
            const bytes = await streamToBuffer(dl.content as NodeJS.ReadableStream);
            if (bytes.length === att.size && sha(bytes) === sha(att.content)) matched = true;
          }
          expect(matched, `${file}: ${att.filename} content`).toBe(true);
          compared++;
        }
      }
      expect(compared).toBeGreaterThanOrEqual(20);
    } finally {
      lock.release();
    }
  }, 60_000);

  it("searches in Japanese, stores flags, moves and appends", async () => {
    const lock = await client.getMailboxLock(SHARED);
    try {
      await deliver(
        t.env.ctx,
        t.team.info.id,
        mail({ subject: "請求書の再送", body: "お支払い期日のご案内です。" }),
      );
      await client.noop();
      const bySubject = await client.search({ subject: "請求書" }, { uid: true });
      expect(bySubject ? bySubject.length : 0).toBeGreaterThanOrEqual(1);
      const byBody = await client.search({ body: "支払い期日" }, { uid: true });
      expect(byBody).toHaveLength(1);
      const uid = (byBody as number[])[0] as number;
      expect(bySubject).toContain(uid);
      await client.messageFlagsAdd(String(uid), ["\\Flagged", "$Status_InProgress"], { uid: true });
      const msg = await client.fetchOne(String(uid), { flags: true }, { uid: true });
      expect(msg && [...(msg.flags ?? [])]).toEqual(
        expect.arrayContaining(["\\Flagged", "$Status_InProgress"]),
      );
      const moved = await client.messageMove(String(uid), "Shared/info@example.co.jp/Archive", { uid: true });
      expect(moved ? moved.uidMap?.get(uid) : undefined).toBe(1);
      expect(await client.search({ body: "支払い期日" }, { uid: true })).toEqual([]);
    } finally {
      lock.release();
    }
    const appended = await client.append("Drafts", mail({ subject: "下書き" }), ["\\Draft"]);
    expect(appended ? appended.uid : undefined).toBe(1);
    const status = await client.status("Drafts", { messages: true, uidNext: true });
    expect(status && [status.messages, status.uidNext]).toEqual([1, 2]);
  });

  it("receives new mail and a status change from the web app while idling", async () => {
    const lock = await client.getMailboxLock(SHARED);
    try {
      const events: string[] = [];
      const onExists = (e: { count: number }) => events.push(`exists:${e.count}`);
      const onFlags = (e: { uid?: number; flags: Set<string> }) => {
        if (e.flags.has("$Status_Waiting")) events.push(`flags:${e.uid}`);
      };
      client.on("exists", onExists);
      client.on("flags", onFlags);
      const idling = client.idle();
      await new Promise((r) => setTimeout(r, 100));
      const r = await deliver(t.env.ctx, t.team.info.id, mail({ subject: "至急" }));
      const started = Date.now();
      for (let i = 0; i < 40 && !events.some((e) => e.startsWith("exists")); i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(Date.now() - started).toBeLessThan(1000);
      const [meta] = await listMessages(t.env.ctx, {
        userId: t.team.bob.id,
        mailboxId: r.mailboxId,
        uids: [r.uid],
      });
      await setStatus(t.env.ctx, {
        conversationId: meta?.conversationId ?? 0,
        userId: t.team.bob.id,
        status: "waiting",
      });
      const s2 = Date.now();
      for (let i = 0; i < 40 && !events.some((e) => e === `flags:${r.uid}`); i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(Date.now() - s2).toBeLessThan(1000);
      expect(events).toContain(`flags:${r.uid}`);
      client.off("exists", onExists);
      client.off("flags", onFlags);
      await client.noop();
      await idling.catch(() => {});
    } finally {
      lock.release();
    }
  });
});
