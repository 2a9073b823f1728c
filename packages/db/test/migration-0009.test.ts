import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { migrate } from "drizzle-orm/pglite/migrator";
import { afterAll, describe, expect, it } from "vitest";
import { openDb } from "../src/client";
import { migrateDb, migrationsFolder } from "../src/migrate";

/** The committed migrations up to and including `last` (its journal cut there). */
function migrationsUpTo(last: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "madoguchi-migrations-"));
  fs.mkdirSync(path.join(dir, "meta"));
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8"));
  journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= last);
  fs.writeFileSync(path.join(dir, "meta", "_journal.json"), JSON.stringify(journal));
  for (const e of journal.entries as { tag: string }[])
    fs.copyFileSync(path.join(migrationsFolder, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  return dir;
}

describe("migration 0009 (search grams as a column)", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("fills search_grams of messages stored before it and drops the old grams function", async () => {
    const handle = await openDb();
    try {
      const before = migrationsUpTo(8);
      dirs.push(before);
      // biome-ignore lint/suspicious/noExplicitAny: the driver-specific database type is erased in Db
      await migrate(handle.db as any, { migrationsFolder: before });
      await handle.db.execute(sql`insert into domains (name) values ('example.co.jp')`);
      await handle.db.execute(sql`insert into inboxes (address, domain_id, name, kind)
        select 'info@example.co.jp', id, 'お問い合わせ', 'shared' from domains`);
      await handle.db.execute(
        sql`insert into mailboxes (inbox_id, name, uid_validity) select id, 'INBOX', 1 from inboxes`,
      );
      await handle.db.execute(sql`insert into messages (inbox_id, mailbox_id, uid, modseq, blob_hash, size,
          internal_date, direction, subject, body_text, from_address)
        select inbox_id, id, 1, 1, repeat('0', 64), 10, now(), 'inbound', 'Ab 請求書', '納期', 'taro@customer.example'
        from mailboxes`);

      await migrateDb(handle);
      const result = await handle.db.execute(sql`select search_grams as g from messages`);
      const grams = ((result as unknown as { rows?: { g: string[] }[] }).rows ?? [])[0]?.g ?? [];
      expect(grams).toEqual(expect.arrayContaining(["ab", "請求", "求書", "納期", "@c"]));
      expect(grams).not.toContain("b請");
      const fn = await handle.db.execute(
        sql`select count(*)::int as n from pg_proc where proname = 'madoguchi_search_grams'`,
      );
      expect((fn as unknown as { rows: { n: number }[] }).rows[0]?.n).toBe(0);
    } finally {
      await handle.close();
    }
  });
});
