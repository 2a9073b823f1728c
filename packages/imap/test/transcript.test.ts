import { deliver } from "@madoguchi/core";
import Encoding from "encoding-japanese";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail } from "../../core/test/fixtures";
import { drivers } from "../../core/test/harness";
import { encodeMutf7 } from "../src/protocol/mutf7";
import { type ImapTestEnv, RawClient, startImap } from "./helpers";

const INFO = '"Shared/info@example.co.jp/INBOX"';

describe.each(drivers)("IMAP transcripts (%s)", (driver) => {
  let t: ImapTestEnv;
  let strict: ImapTestEnv;
  beforeAll(async () => {
    [t, strict] = await Promise.all([startImap(driver), startImap(driver, { strictPlain: true })]);
    const ctx = t.env.ctx;
    await deliver(
      ctx,
      t.team.info.id,
      mail({ subject: "請求書の送付", body: "来月分の請求書をお送りします。" }),
    );
    await deliver(
      ctx,
      t.team.info.id,
      mail({ subject: "Meeting", from: "Bob <bob@partner.example>", body: "See you at ten." }),
    );
    await deliver(
      ctx,
      t.team.info.id,
      mail({
        subject: "見積もりのお願い",
        from: "鈴木 <suzuki@customer.example>",
        body: "見積書をお願いします。",
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await strict?.close();
  });

  it("keeps LOGIN disabled until STARTTLS, then accepts it", async () => {
    const c = await RawClient.connect(strict.port);
    expect(await c.cmd("a1", "CAPABILITY")).toMatch(/^\* CAPABILITY IMAP4rev1 .*STARTTLS LOGINDISABLED\r\n/m);
    expect(await c.cmd("a2", 'LOGIN alice@example.co.jp "correct horse 1"')).toMatch(
      /^a2 NO \[PRIVACYREQUIRED\]/m,
    );
    expect(await c.cmd("a3", "AUTHENTICATE PLAIN AGFsaWNlAHg=")).toMatch(/^a3 NO \[PRIVACYREQUIRED\]/m);
    expect(await c.cmd("a4", "STARTTLS")).toMatch(/^a4 OK/m);
    await c.startTls();
    const caps = await c.cmd("a5", "CAPABILITY");
    expect(caps).toMatch(/AUTH=PLAIN/);
    expect(caps).not.toMatch(/STARTTLS|LOGINDISABLED/);
    expect(await c.cmd("a6", 'LOGIN alice@example.co.jp "correct horse 1"')).toMatch(
      /^a6 OK \[CAPABILITY [^\]]*IDLE/m,
    );
    c.close();
  });

  it("discards plain-text commands pipelined behind STARTTLS", async () => {
    const c = await RawClient.connect(strict.port);
    c.write('s1 STARTTLS\r\ns2 LOGIN alice@example.co.jp "correct horse 1"\r\n');
    await c.reply("s1");
    await c.startTls();
    expect(await c.cmd("s3", "NOOP")).toBe("s3 OK NOOP completed\r\n");
    expect(await c.cmd("s4", 'LIST "" INBOX')).toMatch(/^s4 BAD Log in first/m);
    c.close();
  });

  it("authenticates with AUTHENTICATE PLAIN, with and without an initial response", async () => {
    const c = await RawClient.connect(t.tlsPort, true);
    const creds = Buffer.from("\0bob@example.co.jp\0correct horse 2").toString("base64");
    c.write("p1 AUTHENTICATE PLAIN\r\n");
    await c.readUntil(/^\+ \r\n/m);
    c.take();
    c.write(`${creds}\r\n`);
    expect(await c.reply("p1")).toMatch(/^p1 OK/m);
    c.close();
    const d = await RawClient.connect(t.tlsPort, true);
    expect(
      await d.cmd("p2", `AUTHENTICATE PLAIN ${Buffer.from("\0bob@example.co.jp\0wrong").toString("base64")}`),
    ).toMatch(/^p2 NO \[AUTHENTICATIONFAILED\]/m);
    d.write("p3 AUTHENTICATE PLAIN\r\n");
    await d.readUntil(/^\+ /m);
    d.take();
    d.write("*\r\n");
    expect(await d.reply("p3")).toMatch(/^p3 BAD/m);
    d.close();
  });

  it("reads synchronizing literals after a continuation, and LITERAL+ without one", async () => {
    const c = await RawClient.connect(t.port);
    c.write("l1 LOGIN {19}\r\n");
    await c.readUntil(/^\+ Ready/m);
    c.take();
    c.write("alice@example.co.jp {15+}\r\ncorrect horse 1\r\n");
    expect(await c.reply("l1")).toMatch(/^l1 OK/m);
    // A literal mailbox name holding UTF-8 (decoded as modified UTF-7 rules allow raw 8-bit).
    const r = await c.cmd("l2", "STATUS {6+}\r\nINBOX! (MESSAGES)");
    expect(r).toMatch(/^l2 NO \[NONEXISTENT\]/m);
    c.close();
  });

  it("answers syntax errors with BAD, and says BYE after too many", async () => {
    const c = await RawClient.connect(t.port);
    expect(await c.cmd("b1", "FROBNICATE")).toMatch(/^b1 BAD Unknown command FROBNICATE/m);
    expect(await c.cmd("b2", "SELECT INBOX")).toMatch(/^b2 BAD Log in first/m);
    await c.login();
    expect(await c.cmd("b3", "FETCH 1 FLAGS")).toMatch(/^b3 BAD FETCH is not valid in this state/m);
    expect(await c.cmd("b4", 'LOGIN "unterminated')).toMatch(/^b4 BAD Unterminated quoted string/m);
    expect(await c.cmd("b5", "STATUS INBOX (BOGUS)")).toMatch(/^b5 BAD Unknown STATUS item BOGUS/m);
    c.write("\r\n");
    await c.readUntil(/^\* BAD/m);
    c.take();
    for (let i = 0; i < 13; i++) await c.cmd(`x${i}`, "NOPE");
    c.write("x99 NOPE\r\n");
    await c.readUntil(/^\* BYE Too many invalid commands/m);
    await new Promise((r) => c.socket.once("close", r));
    expect(c.closed).toBe(true);
  });

  it("refuses oversized literals and lines with TOOBIG and stays usable", async () => {
    const c = await RawClient.connect(t.port);
    await c.login();
    await c.cmd("t0", "SELECT INBOX");
    expect(await c.cmd("t1", "APPEND INBOX {99999999999}")).toMatch(/^t1 NO \[TOOBIG\]/m);
    c.write(`t2 SEARCH ${"A".repeat(70_000)}\r\n`);
    expect(await c.reply("t2")).toMatch(/^t2 BAD \[TOOBIG\]/m);
    expect(await c.cmd("t3", "NOOP")).toMatch(/^t3 OK/m);
    c.close();
  });

  it("lists the personal and shared namespaces with special-use, and hides inboxes from non-members", async () => {
    const alice = await RawClient.connect(t.port);
    await alice.login();
    expect(await alice.cmd("n1", "NAMESPACE")).toMatch(
      /^\* NAMESPACE \(\("" "\/"\)\) NIL \(\("Shared\/" "\/"\)\)/m,
    );
    const list = await alice.cmd("n2", 'LIST "" "Shared/%/%"');
    expect(list).toMatch(/^\* LIST \(\\HasNoChildren \\Sent\) "\/" Shared\/info@example\.co\.jp\/Sent$/m);
    const ext = await alice.cmd("n3", 'LIST (SPECIAL-USE) "" "*" RETURN (STATUS (MESSAGES UNSEEN))');
    expect(ext).toMatch(/\\Trash\) "\/" Shared\/info@example\.co\.jp\/Trash/);
    expect(ext).not.toMatch(/LIST \([^)]*\) "\/" INBOX/);
    expect(ext).toMatch(/^\* STATUS Shared\/info@example\.co\.jp\/Sent \(MESSAGES 0 UNSEEN 0\)/m);
    alice.close();

    const carol = await RawClient.connect(t.port);
    await carol.login("carol@example.co.jp", "correct horse 3");
    expect(await carol.cmd("c1", 'LIST "" "*"')).not.toMatch(/info@example/);
    const missing = '"Shared/nobody@example.co.jp/INBOX"';
    for (const [verb, args] of [
      ["SELECT", ""],
      ["EXAMINE", ""],
      ["STATUS", " (MESSAGES)"],
    ] as const) {
      const a = await carol.cmd("c2", `${verb} ${INFO}${args}`);
      const b = await carol.cmd("c2", `${verb} ${missing}${args}`);
      expect(a).toBe(b);
      expect(a).toMatch(/^c2 NO \[NONEXISTENT\]/m);
    }
    expect(await carol.cmd("c3", 'CREATE "Shared/info@example.co.jp/Stolen"')).toBe(
      await carol.cmd("c3", 'CREATE "Shared/nobody@example.co.jp/Stolen"'),
    );
    expect(await carol.cmd("c4", `APPEND ${INFO} {5+}\r\nHi!\r\n`)).toMatch(/^c4 NO \[TRYCREATE\]/m);
    await carol.cmd("c5", "SELECT INBOX");
    await carol.cmd("c6", "APPEND INBOX {20+}\r\nSubject: x\r\n\r\nbody\r\n");
    expect(await carol.cmd("c7", `COPY 1 ${INFO}`)).toBe(await carol.cmd("c7", `COPY 1 ${missing}`));
    carol.close();
  });

  it("fetches envelopes, structure, sections and partials; BODY[] sets \\Seen, BODY.PEEK does not", async () => {
    const c = await RawClient.connect(t.port);
    await c.login();
    const sel = await c.cmd("f1", `SELECT ${INFO}`);
    expect(sel).toMatch(/^\* 3 EXISTS/m);
    expect(sel).toMatch(/^\* OK \[UIDVALIDITY \d+\]/m);
    expect(sel).toMatch(/^\* OK \[HIGHESTMODSEQ \d+\]/m);
    expect(sel).toMatch(/^f1 OK \[READ-WRITE\]/m);
    const peek = await c.cmd("f2", "FETCH 1 (BODY.PEEK[TEXT]<0.6> RFC822.SIZE INTERNALDATE)");
    expect(peek).toMatch(/BODY\[TEXT\]<0> \{6\}\r\n来月/);
    expect(peek).toMatch(/INTERNALDATE "[ \d]\d-\w{3}-\d{4} \d\d:\d\d:\d\d \+0900"/);
    expect(await c.cmd("f3", "FETCH 1 FLAGS")).toMatch(/^\* 1 FETCH \(FLAGS \(\$Status_Open\)\)/m);
    const read = await c.cmd("f4", "FETCH 1 BODY[HEADER.FIELDS (SUBJECT)]");
    expect(read).toMatch(/BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{\d+\}\r\nSubject: =\?UTF-8\?B\?/);
    expect(read).toMatch(/FLAGS \(\\Seen \$Status_Open\)/);
    expect(await c.cmd("f5", "UID FETCH 2 (BODY[1] FLAGS)")).toMatch(
      /UID 2 BODY\[1\] \{\d+\}\r\nSee you at ten\.\r\n FLAGS \(\\Seen/,
    );
    expect(await c.cmd("f6", "FETCH 1:* (UID) (CHANGEDSINCE 1)")).toMatch(/MODSEQ \(\d+\)/);
    expect(await c.cmd("f7", "FETCH 9 FLAGS")).toMatch(/^f7 BAD/m);
    expect(await c.cmd("f8", "FETCH 1 BODY[HEADER.FIELDS]")).toMatch(/^f8 BAD/m);
    // bob's \Seen is his own.
    const bob = await RawClient.connect(t.port);
    await bob.login("bob@example.co.jp", "correct horse 2");
    await bob.cmd("g1", `EXAMINE ${INFO}`);
    expect(await bob.cmd("g2", "FETCH 1:2 FLAGS")).not.toMatch(/\\Seen/);
    expect(await bob.cmd("g3", "STORE 1 +FLAGS (\\Flagged)")).toMatch(/^g3 NO \[READ-ONLY\]/m);
    bob.close();
    c.close();
  });

  it("searches in Japanese with UTF-8 and ISO-2022-JP search strings, ESEARCH and SEARCHRES", async () => {
    const c = await RawClient.connect(t.port);
    await c.login();
    await c.cmd("s0", `EXAMINE ${INFO}`);
    expect(await c.cmd("s1", "SEARCH SUBJECT 請求書")).toMatch(/^\* SEARCH 1\r\n/m);
    const utf8 = Buffer.from("見積書");
    c.write(
      Buffer.concat([
        Buffer.from(`s2 UID SEARCH CHARSET UTF-8 BODY {${utf8.length}+}\r\n`),
        utf8,
        Buffer.from("\r\n"),
      ]),
    );
    expect(await c.reply("s2")).toMatch(/^\* SEARCH 3\r\n/m);
    const jis = Buffer.from(Encoding.convert(Encoding.stringToCode("請求"), { to: "JIS", from: "UNICODE" }));
    c.write(Buffer.concat([Buffer.from(`s3 SEARCH CHARSET ISO-2022-JP TEXT {${jis.length}}\r\n`)]));
    await c.readUntil(/^\+ /m);
    c.take();
    c.write(Buffer.concat([jis, Buffer.from("\r\n")]));
    expect(await c.reply("s3")).toMatch(/^\* SEARCH 1\r\n/m);
    expect(await c.cmd("s4", "SEARCH CHARSET KOI9 TEXT x")).toMatch(
      /^s4 NO \[BADCHARSET \(UTF-8 US-ASCII ISO-2022-JP\)\]/m,
    );
    expect(await c.cmd("s5", "SEARCH OR FROM suzuki NOT SUBJECT meeting")).toMatch(/^\* SEARCH 1 3\r\n/m);
    expect(await c.cmd("s6", "SEARCH RETURN (MIN MAX COUNT) UNDELETED")).toMatch(
      /^\* ESEARCH \(TAG "s6"\) MIN 1 MAX 3 COUNT 3\r\n/m,
    );
    expect(
      await c.cmd("s7", "UID SEARCH RETURN (SAVE) HEADER Message-ID customer.example SMALLER 100000"),
    ).toBe("s7 OK SEARCH completed\r\n");
    expect(await c.cmd("s8", "UID SEARCH UID $ NOT 2")).toMatch(/^\* SEARCH 1 3\r\n/m);
    expect(await c.cmd("s9", "SEARCH SENTON 27-Nov-2026 SINCE 1-Jan-2000")).toMatch(/^\* SEARCH 1 2 3\r\n/m);
    expect(await c.cmd("sa", "SEARCH SENTBEFORE 27-Nov-2026")).toMatch(/^\* SEARCH\r\n/m);
    expect(await c.cmd("sb", "SEARCH MODSEQ 1 KEYWORD $Status_Open")).toMatch(
      /^\* SEARCH 1 2 3 \(MODSEQ \d+\)\r\n/m,
    );
    c.close();
  });

  it("stores flags in every form, with UNCHANGEDSINCE, and maps status keywords to the domain", async () => {
    const c = await RawClient.connect(t.port);
    await c.login();
    await c.cmd("x0", `SELECT ${INFO}`);
    expect(await c.cmd("x1", "STORE 2 +FLAGS (\\Flagged custom)")).toMatch(
      /^\* 2 FETCH \(FLAGS \([^)]*\\Flagged[^)]*custom/m,
    );
    expect(await c.cmd("x2", "STORE 2 -FLAGS.SILENT (custom)")).toBe("x2 OK STORE completed\r\n");
    expect(await c.cmd("x3", "UID STORE 2 FLAGS (\\Seen \\Answered)")).toMatch(
      /UID 2 FLAGS \(\\Answered \\Seen \$Status_Open\)/,
    );
    const m = /MODSEQ \((\d+)\)/.exec(await c.cmd("x4", "FETCH 2 (MODSEQ)"));
    const modseq = Number(m?.[1]);
    expect(await c.cmd("x5", `STORE 2 (UNCHANGEDSINCE ${modseq - 1}) +FLAGS (\\Flagged)`)).toMatch(
      /^x5 OK \[MODIFIED 2\]/m,
    );
    expect(await c.cmd("x6", `STORE 2 (UNCHANGEDSINCE ${modseq}) +FLAGS (\\Flagged)`)).toMatch(
      /^x6 OK STORE completed/m,
    );
    expect(await c.cmd("x7", "STORE 2 +FLAGS ($Status_Done)")).toMatch(/\$Status_Done/);
    expect(await c.cmd("x8", "STORE 2 +FLAGS (\\Bogus)")).toMatch(/^x8 BAD Unknown system flag/m);
    expect(await c.cmd("x9", "STORE 2 -FLAGS ($Status_Done)")).toMatch(/\$Status_Open/);
    c.close();
  });

  it("creates, renames and deletes Japanese folders; standard folders stay", async () => {
    const c = await RawClient.connect(t.port);
    await c.login();
    expect(await c.cmd("m1", "CREATE &avtsQpdM-/2024")).toMatch(/^m1 OK/m); // 請求書/2024
    expect(await c.cmd("m2", 'LIST "" "&avtsQpdM-*"')).toMatch(
      /^\* LIST \(\\Noselect \\HasChildren\) "\/" &avtsQpdM-\r\n\* LIST \(\\HasNoChildren\) "\/" &avtsQpdM-\/2024/m,
    );
    expect(await c.cmd("m3", "CREATE &avtsQpdM-/2024")).toMatch(/^m3 NO \[ALREADYEXISTS\]/m);
    expect(await c.cmd("m4", 'RENAME "&avtsQpdM-/2024" "&avtsQpdM-/2025"')).toMatch(/^m4 OK/m);
    expect(await c.cmd("m5", 'STATUS "&avtsQpdM-/2025" (MESSAGES UIDVALIDITY)')).toMatch(
      /MESSAGES 0 UIDVALIDITY \d+/,
    );
    expect(await c.cmd("m6", "DELETE Sent")).toMatch(/^m6 NO \[CANNOT\]/m);
    expect(await c.cmd("m7", "RENAME Trash Bin")).toMatch(/^m7 NO \[CANNOT\]/m);
    expect(await c.cmd("m8", 'CREATE "Shared/info@example.co.jp/対応済み"')).toMatch(/^m8 OK/m);
    const done = encodeMutf7("Shared/info@example.co.jp/対応済み");
    expect(await c.cmd("m9", `RENAME "${done}" Moved`)).toMatch(/^m9 NO \[CANNOT\]/m);
    expect(await c.cmd("ma", 'DELETE "&avtsQpdM-/2025"')).toMatch(/^ma OK/m);
    expect(await c.cmd("mb", "SUBSCRIBE INBOX")).toMatch(/^mb OK/m);
    expect(await c.cmd("mc", 'LSUB "" "*"')).toContain(`* LSUB (\\HasNoChildren) "/" ${done}\r\n`);
    c.close();
  });

  it("appends, copies and moves with UIDPLUS codes, and expunges", async () => {
    const c = await RawClient.connect(t.port);
    await c.login();
    await c.cmd("u0", "SELECT Drafts");
    const raw = "Subject: draft\r\n\r\nhello\r\n";
    const app = await c.cmd(
      "u1",
      `APPEND Drafts (\\Draft \\Seen) " 1-Feb-2024 10:00:00 +0900" {${raw.length}+}\r\n${raw}`,
    );
    expect(app).toMatch(/^\* 1 EXISTS/m);
    expect(app).toMatch(/^u1 OK \[APPENDUID \d+ 1\]/m);
    expect(await c.cmd("u2", "FETCH 1 (FLAGS INTERNALDATE)")).toMatch(
      /FLAGS \(\\Draft \\Seen \$Status_Open\) INTERNALDATE " 1-Feb-2024 10:00:00 \+0900"/,
    );
    expect(await c.cmd("u3", "APPEND Nope {1+}\r\nx")).toMatch(/^u3 NO \[TRYCREATE\]/m);
    expect(await c.cmd("u4", "COPY 1 Archive")).toMatch(/^u4 OK \[COPYUID \d+ 1 1\]/m);
    const moved = await c.cmd("u5", "UID MOVE 1 Trash");
    expect(moved).toMatch(/^\* OK \[COPYUID \d+ 1 1\] Moved\r\n\* 1 EXPUNGE\r\nu5 OK/m);
    await c.cmd("u6", "SELECT Archive");
    await c.cmd("u7", "STORE 1 +FLAGS.SILENT (\\Deleted)");
    expect(await c.cmd("u8", "UID EXPUNGE 1")).toMatch(/^\* 1 EXPUNGE\r\nu8 OK/m);
    expect(await c.cmd("u9", "CLOSE")).toMatch(/^u9 OK/m);
    expect(await c.cmd("ua", "UNSELECT")).toMatch(/^ua BAD/m);
    c.close();
  });
});
