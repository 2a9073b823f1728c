import { deliver, listMailboxes, listMessages, setStatus } from "@madoguchi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { type ImapTestEnv, RawClient, startImap } from "./helpers";

const INFO = '"Shared/info@example.co.jp/INBOX"';

describe.each(drivers)("concurrent sessions, IDLE and QRESYNC (%s)", (driver) => {
  let t: ImapTestEnv;
  let mailboxId: number;
  beforeAll(async () => {
    t = await startImap(driver);
    for (let i = 1; i <= 4; i++)
      await deliver(t.env.ctx, t.team.info.id, mail({ subject: `件名 ${i}`, messageId: `m${i}@x` }));
    const boxes = await listMailboxes(t.env.ctx, t.team.alice.id);
    mailboxId = boxes.find((b) => b.inboxKind === "shared" && b.name === "INBOX")?.id ?? 0;
  });
  afterAll(async () => t?.close());

  async function session(user: "alice" | "bob") {
    const c = await RawClient.connect(t.port);
    if (user === "alice") await c.login();
    else await c.login("bob@example.co.jp", "correct horse 2");
    await c.cmd("s", `SELECT ${INFO}`);
    return c;
  }

  it("keeps flags stored at the same time by two sessions", async () => {
    const [a, b] = await Promise.all([session("alice"), session("bob")]);
    const rounds = 5;
    let seenByBob = "";
    await Promise.all([
      (async () => {
        for (let i = 0; i < rounds; i++) await a.cmd(`a${i}`, `STORE 1 +FLAGS (alice${i})`);
      })(),
      (async () => {
        for (let i = 0; i < rounds; i++) seenByBob += await b.cmd(`b${i}`, `STORE 1 +FLAGS (bob${i})`);
      })(),
    ]);
    const flags = await a.cmd("f", "FETCH 1 FLAGS");
    for (let i = 0; i < rounds; i++) {
      expect(flags).toContain(`alice${i}`);
      expect(flags).toContain(`bob${i}`);
    }
    // Bob's session learns about alice's flags at a command boundary (its STOREs or this NOOP).
    seenByBob += await b.cmd("n", "NOOP");
    expect(seenByBob).toMatch(/^\* 1 FETCH \((UID 1 )?FLAGS \([^)]*alice4/m);
    a.close();
    b.close();
  });

  it("reports an expunge from another session only where RFC 3501 allows it", async () => {
    const [a, b] = await Promise.all([session("alice"), session("bob")]);
    await a.cmd("d", "STORE 2 +FLAGS.SILENT (\\Deleted)");
    expect(await a.cmd("e", "EXPUNGE")).toMatch(/^\* 2 EXPUNGE\r\ne OK/m);
    await new Promise((r) => setTimeout(r, 150));
    const during = await b.cmd("f", "FETCH 1:* (UID)");
    expect(during).not.toMatch(/EXPUNGE/);
    expect(during).toMatch(/^\* 1 FETCH \(UID 1\)\r\n\* 3 FETCH \(UID 3\)\r\n\* 4 FETCH \(UID 4\)\r\n/m);
    expect(await b.cmd("g", "STORE 3 +FLAGS.SILENT (\\Seen)")).not.toMatch(/EXPUNGE/);
    expect(await b.cmd("n", "NOOP")).toMatch(/^\* 2 EXPUNGE\r\n/m);
    expect(await b.cmd("h", "FETCH 2 (UID)")).toMatch(/^\* 2 FETCH \(UID 3\)/m);
    a.close();
    b.close();
  });

  it("pushes a delivery and a status change from the web app to an IDLE session within a second", async () => {
    const b = await session("bob");
    b.write("i IDLE\r\n");
    await b.readUntil(/^\+ idling\r\n/m);
    b.take();
    let started = Date.now();
    await deliver(t.env.ctx, t.team.info.id, mail({ subject: "新着", messageId: "new1@x" }));
    await b.readUntil(/^\* 4 EXISTS\r\n/m, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    b.take();
    const [first] = await listMessages(t.env.ctx, { userId: t.team.alice.id, mailboxId, uids: [1] });
    started = Date.now();
    await setStatus(t.env.ctx, {
      conversationId: first?.conversationId ?? 0,
      userId: t.team.alice.id,
      status: "done",
    });
    await b.readUntil(/^\* 1 FETCH \(UID 1 FLAGS \([^)]*\$Status_Done\)\)\r\n/m, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    b.write("DONE\r\n");
    expect(await b.reply("i")).toMatch(/^i OK IDLE terminated/m);
    b.close();
  });

  it("resynchronizes with CONDSTORE/QRESYNC after changes and expunges", async () => {
    const c = await RawClient.connect(t.port);
    await c.login();
    expect(await c.cmd("e", "ENABLE QRESYNC")).toMatch(/^\* ENABLED QRESYNC CONDSTORE\r\n/m);
    const sel = await c.cmd("s", `SELECT ${INFO}`);
    const uidValidity = Number(/UIDVALIDITY (\d+)/.exec(sel)?.[1]);
    const modseq = Number(/HIGHESTMODSEQ (\d+)/.exec(sel)?.[1]);
    await c.cmd("u", "UNSELECT");
    // Changes while the client is away: a flag on UID 3, UID 4 expunged, a new message.
    const other = await session("alice");
    await other.cmd("a", "UID STORE 3 +FLAGS (\\Flagged)");
    await other.cmd("b", "UID STORE 4 +FLAGS (\\Deleted)");
    await other.cmd("c", "UID EXPUNGE 4");
    await deliver(t.env.ctx, t.team.info.id, mail({ subject: "後から", messageId: "late@x" }));
    const r = await c.cmd("q", `SELECT ${INFO} (QRESYNC (${uidValidity} ${modseq} 1:10))`);
    expect(r).toMatch(/^\* VANISHED \(EARLIER\) 4\r\n/m);
    expect(r).toMatch(/^\* \d+ FETCH \(UID 3 FLAGS \(\\Flagged[^)]*\) MODSEQ \(\d+\)\)/m);
    expect(r).toMatch(/^\* \d+ FETCH \(UID 6 FLAGS/m);
    expect(r).not.toMatch(/UID 1 FLAGS/);
    // CHANGEDSINCE with VANISHED on UID FETCH.
    const f = await c.cmd("v", `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq} VANISHED)`);
    expect(f).toMatch(/^\* VANISHED \(EARLIER\) 4\r\n/m);
    // While c is selected, an expunge elsewhere arrives as VANISHED (not EXPUNGE) once QRESYNC is on.
    await other.cmd("d", "UID STORE 3 +FLAGS (\\Deleted)");
    await other.cmd("x", "UID EXPUNGE 3");
    expect(await c.cmd("n", "NOOP")).toMatch(/^\* VANISHED 3\r\n/m);
    // A wrong UIDVALIDITY gets a plain SELECT.
    expect(await c.cmd("w", `SELECT ${INFO} (QRESYNC (1 ${modseq}))`)).not.toMatch(/VANISHED/);
    c.close();
    other.close();
  });

  it("logs out an idle connection with BYE when the mailbox it selected is deleted", async () => {
    const a = await RawClient.connect(t.port);
    await a.login();
    await a.cmd("c", "CREATE Temp");
    await a.cmd("s", "SELECT Temp");
    const b = await RawClient.connect(t.port);
    await b.login();
    await b.cmd("d", "DELETE Temp");
    a.write("n NOOP\r\n");
    await a.readUntil(/^\* BYE/m);
    a.close();
    b.close();
  });
});
