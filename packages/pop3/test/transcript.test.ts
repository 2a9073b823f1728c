import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { listMailboxes, listMessages } from "@madoguchi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail } from "../../core/test/fixtures";
import { MAX_BAD_COMMANDS, MAX_LINE_LENGTH } from "../src/limits";
import { coreStore } from "../src/store";
import { RawClient } from "./client";
import { createPop3TestEnv, deliverTo, drivers, failingStore, PASSWORDS, type Pop3TestEnv } from "./setup";

const here = path.dirname(fileURLToPath(import.meta.url));
const ISO_2022_JP = fs.readFileSync(path.join(here, "../../mail/test/fixtures/iso2022jp-labelled.eml"));
const ALICE = "alice@example.co.jp";
const BOB = "bob@example.co.jp";
const INFO = "info@example.co.jp";
const plain = (user: string, pass: string, authzid = "") =>
  Buffer.from(`${authzid}\0${user}\0${pass}`).toString("base64");
/** Lines of a raw multi-line body, un-stuffed, back to the original bytes. */
const unstuff = (body: Buffer) => Buffer.from(body.toString("latin1").replace(/^\./gm, ""), "latin1");

describe.each(drivers)("POP3 transcript on %s", (driver) => {
  let t: Pop3TestEnv;
  /** alice's own INBOX: a message with dot lines, the ISO-2022-JP fixture, a plain one. */
  const dotted = mail({ subject: "ドット", body: ".first line\r\nsecond\r\n..third\r\n.\r\nend" });
  const plainMessage = mail({ subject: "三通目" });
  const personal = [dotted, ISO_2022_JP, plainMessage];
  const personalSize = personal.reduce((s, m) => s + m.length, 0);

  beforeAll(async () => {
    t = await createPop3TestEnv(driver);
    for (const m of personal) await deliverTo(t, ALICE, m);
  });
  afterAll(() => t.close());

  async function connect(secure = true): Promise<RawClient> {
    const c = await RawClient.connect(
      secure ? t.tlsPort : t.plainPort,
      secure ? { tls: { ca: t.tls.cert } } : {},
    );
    expect(await c.line()).toBe("+OK localhost Madoguchi POP3 server ready");
    return c;
  }

  async function login(user: string, pass: string): Promise<RawClient> {
    const c = await connect();
    expect(await c.command(`USER ${user}`)).toBe("+OK send PASS");
    expect(await c.command(`PASS ${pass}`)).toMatch(/^\+OK /);
    return c;
  }

  /** Logs in, retrying while the previous session of the same maildrop is still being torn down. */
  async function loginWhenFree(user: string, pass: string): Promise<RawClient> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const c = await connect();
      await c.command(`USER ${user}`);
      const reply = await c.command(`PASS ${pass}`);
      if (reply.startsWith("+OK")) return c;
      expect(reply).toMatch(/^-ERR \[IN-USE\]/);
      c.close();
      await sleep(20);
    }
    throw new Error("maildrop stayed locked");
  }

  it("greets and lists capabilities without USER or SASL before TLS", async () => {
    const c = await connect(false);
    expect(await c.multi("CAPA")).toEqual({
      status: "+OK capability list follows",
      lines: [
        "TOP",
        "UIDL",
        "RESP-CODES",
        "AUTH-RESP-CODE",
        "PIPELINING",
        "EXPIRE NEVER",
        "STLS",
        "IMPLEMENTATION Madoguchi",
      ],
    });
    c.close();
  });

  it("refuses every password before TLS with [AUTH]", async () => {
    const c = await connect(false);
    const refusal = "-ERR [AUTH] plaintext authentication is disabled; use STLS first";
    expect(await c.command(`USER ${ALICE}`)).toBe(refusal);
    expect(await c.command(`PASS ${PASSWORDS.alice}`)).toBe(refusal);
    expect(await c.command(`AUTH PLAIN ${plain(ALICE, PASSWORDS.alice)}`)).toBe(refusal);
    expect(await c.multi("AUTH")).toEqual({ status: "+OK SASL mechanisms follow", lines: [] });
    expect(await c.command("STAT")).toBe("-ERR STAT is not valid now: log in first (USER/PASS or AUTH)");
    expect(await c.command("QUIT")).toBe("+OK bye");
    await c.waitClosed();
  });

  it("upgrades with STLS, then offers and accepts USER/PASS", async () => {
    const c = await connect(false);
    expect(await c.command("STLS")).toBe("+OK begin TLS negotiation");
    await c.startTls(t.tls.cert);
    expect(c.encrypted).toBe(true);
    const capa = await c.multi("CAPA");
    expect(capa.lines).toEqual(expect.arrayContaining(["USER", "SASL PLAIN", "TOP", "UIDL"]));
    expect(capa.lines).not.toContain("STLS");
    expect(await c.command("STLS")).toBe("-ERR TLS is already active");
    expect(await c.command(`USER ${ALICE}`)).toBe("+OK send PASS");
    expect(await c.command(`PASS ${PASSWORDS.alice}`)).toBe(
      `+OK ${ALICE} has 3 messages (${personalSize} octets)`,
    );
    expect(await c.command("STAT")).toBe(`+OK 3 ${personalSize}`);
    expect(await c.command("QUIT")).toBe("+OK Madoguchi POP3 signing off (0 messages deleted)");
    await c.waitClosed();
  });

  it("discards what was pipelined after STLS (no plaintext injection)", async () => {
    const c = await connect(false);
    c.write(`STLS\r\nUSER ${ALICE}\r\n`);
    expect(await c.line()).toBe("+OK begin TLS negotiation");
    await c.startTls(t.tls.cert);
    expect(await c.command(`PASS ${PASSWORDS.alice}`)).toBe("-ERR send USER first");
    c.close();
  });

  it("answers every TRANSACTION command and its error paths", async () => {
    const c = await login(ALICE, PASSWORDS.alice);
    const metas = await listMessages(t.ctx, {
      userId: t.team.alice.id,
      mailboxId: await t.inboxOf(ALICE, t.team.alice.id),
    });
    const boxes = await listMailboxes(t.ctx, t.team.alice.id);
    const uidValidity = boxes.find((b) => b.inboxAddress === ALICE && b.name === "INBOX")?.uidValidity;
    const uidls = metas.map((m, i) => `${i + 1} ${uidValidity}.${m.uid}`);

    expect(await c.command("STAT")).toBe(`+OK 3 ${personalSize}`);
    expect(await c.multi("LIST")).toEqual({
      status: `+OK 3 messages (${personalSize} octets)`,
      lines: personal.map((m, i) => `${i + 1} ${m.length}`),
    });
    expect(await c.command("LIST 2")).toBe(`+OK 2 ${ISO_2022_JP.length}`);
    expect(await c.command("LIST 4")).toBe("-ERR no such message");
    expect(await c.command("LIST 0")).toBe("-ERR no such message");
    expect(await c.command("LIST x")).toBe("-ERR usage: LIST [msg]");
    expect(await c.command("LIST 1 2")).toBe("-ERR usage: LIST [msg]");
    expect(await c.multi("UIDL")).toEqual({ status: "+OK unique-id listing follows", lines: uidls });
    expect(await c.command("UIDL 3")).toBe(`+OK ${uidls[2]}`);
    expect(await c.command("UIDL 9")).toBe("-ERR no such message");

    c.send("RETR 1");
    expect(await c.line()).toBe(`+OK ${dotted.length} octets`);
    const raw = await c.rawBody();
    expect(raw.toString()).toContain("\r\n..first line\r\nsecond\r\n...third\r\n..\r\nend\r\n");
    expect(unstuff(raw)).toEqual(dotted);
    expect(await c.command("RETR")).toBe("-ERR usage: RETR msg");
    expect(await c.command("RETR 9")).toBe("-ERR no such message");

    const header = dotted.toString().split("\r\n\r\n")[0];
    c.send("TOP 1 0");
    expect(await c.line()).toBe("+OK top of message follows");
    expect((await c.rawBody()).toString()).toBe(`${header}\r\n\r\n`);
    c.send("TOP 1 1");
    expect(await c.line()).toBe("+OK top of message follows");
    expect((await c.rawBody()).toString()).toBe(`${header}\r\n\r\n..first line\r\n`);
    expect(await c.command("TOP 1")).toBe("-ERR usage: TOP msg n");
    expect(await c.command("TOP 1 -1")).toBe("-ERR usage: TOP msg n");
    expect(await c.command("TOP 7 1")).toBe("-ERR no such message");

    expect(await c.command("NOOP")).toBe("+OK");
    expect(await c.command("NOOP now")).toBe("-ERR usage: NOOP");
    expect(await c.command("DELE 1")).toBe("+OK message 1 deleted");
    expect(await c.command("DELE 1")).toBe("-ERR message 1 already deleted");
    expect(await c.command("RETR 1")).toBe("-ERR message 1 already deleted");
    expect(await c.command("LIST 1")).toBe("-ERR message 1 already deleted");
    expect(await c.command("STAT")).toBe(`+OK 2 ${personalSize - dotted.length}`);
    expect((await c.multi("LIST")).lines).toEqual([`2 ${ISO_2022_JP.length}`, `3 ${plainMessage.length}`]);
    expect((await c.multi("UIDL")).lines).toEqual(uidls.slice(1));
    expect(await c.command("RSET")).toBe(`+OK maildrop has 3 messages (${personalSize} octets)`);
    expect(await c.command("LIST 1")).toBe(`+OK 1 ${dotted.length}`);
    expect(await c.command(`USER ${ALICE}`)).toBe("-ERR USER is not valid now: already logged in");
    expect(await c.command("STLS")).toBe("-ERR STLS is not valid now: already logged in");
    expect(await c.command("XYZZY")).toBe("-ERR unknown command");
    expect(await c.command("APOP alice 0123")).toBe("-ERR unknown command");
    expect(await c.command("quit")).toBe("+OK Madoguchi POP3 signing off (0 messages deleted)");
    await c.waitClosed();
  });

  it("retrieves the ISO-2022-JP message byte for byte", async () => {
    const c = await login(ALICE, PASSWORDS.alice);
    c.send("RETR 2");
    expect(await c.line()).toBe(`+OK ${ISO_2022_JP.length} octets`);
    expect(unstuff(await c.rawBody())).toEqual(ISO_2022_JP);
    await c.command("QUIT");
  });

  it("answers pipelined commands in order", async () => {
    const c = await loginWhenFree(ALICE, PASSWORDS.alice);
    c.write(["STAT", "LIST 2", "BOGUS", "TOP 3 0", "NOOP", "UIDL 1", "QUIT", ""].join("\r\n"));
    expect(await c.line()).toBe(`+OK 3 ${personalSize}`);
    expect(await c.line()).toBe(`+OK 2 ${ISO_2022_JP.length}`);
    expect(await c.line()).toBe("-ERR unknown command");
    expect(await c.line()).toBe("+OK top of message follows");
    expect((await c.body()).at(-1)).toBe("");
    expect(await c.line()).toBe("+OK");
    expect(await c.line()).toMatch(/^\+OK 1 \d+\.\d+$/);
    expect(await c.line()).toMatch(/^\+OK Madoguchi POP3 signing off/);
    await c.waitClosed();
  });

  it("logs in with AUTH PLAIN: initial response, continuation, cancel, authzid", async () => {
    const c = await connect();
    expect(await c.multi("AUTH")).toEqual({ status: "+OK SASL mechanisms follow", lines: ["PLAIN"] });
    expect(await c.command("AUTH CRAM-MD5")).toBe("-ERR unsupported SASL mechanism CRAM-MD5");
    expect(await c.command("AUTH PLAIN")).toBe("+ ");
    expect(await c.command("*")).toBe("-ERR authentication cancelled");
    expect(await c.command("AUTH PLAIN")).toBe("+ ");
    expect(await c.command(plain(BOB, PASSWORDS.bob))).toBe(`+OK ${BOB} has 0 messages (0 octets)`);
    await c.command("QUIT");

    const d = await connect();
    expect(await d.command(`AUTH PLAIN ${plain(BOB, PASSWORDS.bob, INFO)}`)).toMatch(
      new RegExp(`^\\+OK ${INFO} has \\d+ messages`),
    );
    await d.command("QUIT");

    const e = await connect();
    expect(await e.command("AUTH PLAIN not*base64")).toBe(
      "-ERR [AUTH] invalid user name, password or maildrop",
    );
    expect(await e.command(`AUTH PLAIN ${plain(BOB, "wrong")}`)).toBe(
      "-ERR [AUTH] invalid user name, password or maildrop",
    );
    e.close();
  });

  it("gives a non-member the same answer as a wrong password, and closes after repeated failures", async () => {
    const attempts: Array<[string, string]> = [
      [`carol@example.co.jp/${INFO}`, PASSWORDS.carol],
      [ALICE, "wrong password"],
      ["nobody@example.co.jp", "whatever1"],
      [`${ALICE}/sales@example.co.jp`, PASSWORDS.alice],
      [`${ALICE}/carol@example.co.jp`, PASSWORDS.alice],
      ["not-an-address", PASSWORDS.alice],
    ];
    const replies: string[] = [];
    for (const [user, pass] of attempts) {
      const c = await connect();
      await c.command(`USER ${user}`);
      replies.push(await c.command(`PASS ${pass}`));
      c.close();
      t.ctx.throttle.recordSuccess("127.0.0.1");
    }
    expect(new Set(replies)).toEqual(new Set(["-ERR [AUTH] invalid user name, password or maildrop"]));

    const c = await connect();
    expect(await c.command("PASS early")).toBe("-ERR send USER first");
    for (let i = 0; i < 3; i++) {
      await c.command(`USER ${ALICE}`);
      expect(await c.command("PASS wrong")).toMatch(/^-ERR \[AUTH\]/);
    }
    await c.waitClosed();
    t.ctx.throttle.recordSuccess("127.0.0.1");
  });

  it("refuses a locked-out address with [SYS/TEMP] through the shared throttle", async () => {
    for (let i = 0; i < 10; i++) t.ctx.throttle.recordFailure("127.0.0.1");
    const c = await connect();
    await c.command(`USER ${ALICE}`);
    expect(await c.command(`PASS ${PASSWORDS.alice}`)).toMatch(
      /^-ERR \[SYS\/TEMP\] too many failed logins from your address; try again in \d+ seconds$/,
    );
    t.ctx.throttle.recordSuccess("127.0.0.1");
    c.close();
  });

  it("closes after MAX_BAD_COMMANDS bad commands in a row and on an over-long line", async () => {
    const c = await connect();
    for (let i = 1; i < MAX_BAD_COMMANDS; i++) expect(await c.command("FOO")).toBe("-ERR unknown command");
    // A good command in between starts the count again.
    expect((await c.multi("CAPA")).status).toBe("+OK capability list follows");
    for (let i = 1; i < MAX_BAD_COMMANDS; i++) expect(await c.command("FOO")).toBe("-ERR unknown command");
    expect(await c.command("RETR 1")).toBe(
      "-ERR RETR is not valid now: log in first (USER/PASS or AUTH); too many bad commands, closing connection",
    );
    await c.waitClosed();

    const d = await connect();
    d.write(`USER ${"x".repeat(MAX_LINE_LENGTH + 10)}\r\n`);
    expect(await d.line()).toBe("-ERR line too long, closing connection");
    await d.waitClosed();
  });

  it("locks a maildrop per user with [IN-USE]; teammates are not blocked", async () => {
    const a = await loginWhenFree(`${ALICE}/${INFO}`, PASSWORDS.alice);
    const again = await connect();
    await again.command(`USER ${ALICE}/info`);
    expect(await again.command(`PASS ${PASSWORDS.alice}`)).toBe(
      "-ERR [IN-USE] maildrop is already in use by another session",
    );
    const bob = await login(`${BOB}/${INFO}`, PASSWORDS.bob);
    await bob.command("QUIT");
    await a.command("QUIT");
    await a.waitClosed();
    const later = await loginWhenFree(`${ALICE}/${INFO}`, PASSWORDS.alice);
    await later.command("QUIT");
    again.close();
  });

  it("marks \\Seen at RETR for the retriever only; DELE hides for that user only, at QUIT", async () => {
    const first = await deliverTo(t, INFO, mail({ subject: "共有1" }));
    const second = await deliverTo(t, INFO, mail({ subject: "共有2" }));
    const infoBox = await t.inboxOf(INFO, t.team.alice.id);
    const flags = async (userId: number, uid: number) =>
      (await listMessages(t.ctx, { userId, mailboxId: infoBox, uids: [uid] }))[0];

    const a = await loginWhenFree(`${ALICE}/${INFO}`, PASSWORDS.alice);
    const uidl = (await a.multi("UIDL")).lines;
    const n = uidl.findIndex((l) => l.endsWith(`.${first}`)) + 1;
    const m = uidl.findIndex((l) => l.endsWith(`.${second}`)) + 1;
    expect(n).toBeGreaterThan(0);
    a.send(`TOP ${m} 0`);
    await a.line();
    await a.rawBody();
    a.send(`RETR ${n}`);
    await a.line();
    await a.rawBody();
    // \Seen is stored once the message has gone out, before the next command is read: the
    // NOOP's answer comes after it (reading the flags at once raced it; CI saw that).
    expect(await a.command("NOOP")).toBe("+OK");
    expect((await flags(t.team.alice.id, first))?.flags).toContain("\\Seen");
    expect((await flags(t.team.alice.id, second))?.flags).not.toContain("\\Seen");
    expect((await flags(t.team.bob.id, first))?.flags).not.toContain("\\Seen");

    expect(await a.command(`DELE ${n}`)).toBe(`+OK message ${n} deleted`);
    expect((await flags(t.team.alice.id, first))?.hidden).toBe(false);
    expect(await a.command("QUIT")).toBe("+OK Madoguchi POP3 signing off (1 messages deleted)");
    await a.waitClosed();
    expect((await flags(t.team.alice.id, first))?.hidden).toBe(true);
    expect((await flags(t.team.bob.id, first))?.hidden).toBe(false);

    const a2 = await loginWhenFree(`${ALICE}/${INFO}`, PASSWORDS.alice);
    const after = (await a2.multi("UIDL")).lines;
    expect(after.some((l) => l.endsWith(`.${first}`))).toBe(false);
    expect(after.map((l) => l.split(" ")[1])).toEqual(
      uidl.filter((l) => !l.endsWith(`.${first}`)).map((l) => l.split(" ")[1]),
    );
    await a2.command("QUIT");

    const b = await loginWhenFree(`${BOB}/${INFO}`, PASSWORDS.bob);
    const bobs = (await b.multi("UIDL")).lines;
    expect(bobs.some((l) => l.endsWith(`.${first}`))).toBe(true);
    expect(bobs.map((l) => l.split(" ")[1])).toEqual(uidl.map((l) => l.split(" ")[1]));
    await b.command("QUIT");
  });

  it("hides DELE'd mail of the personal inbox too, and a dropped connection deletes nothing", async () => {
    const uid = await deliverTo(t, BOB, mail({ subject: "個人宛" }));
    const bobBox = await t.inboxOf(BOB, t.team.bob.id);
    const b = await loginWhenFree(BOB, PASSWORDS.bob);
    expect(await b.command("DELE 1")).toBe("+OK message 1 deleted");
    b.close();
    const b2 = await loginWhenFree(BOB, PASSWORDS.bob);
    expect(await b2.command("STAT")).toMatch(/^\+OK 1 /);
    expect(await b2.command("DELE 1")).toBe("+OK message 1 deleted");
    await b2.command("QUIT");
    const b3 = await loginWhenFree(BOB, PASSWORDS.bob);
    expect(await b3.command("STAT")).toBe("+OK 0 0");
    await b3.command("QUIT");
    // Kept for the web app and IMAP: hidden from POP3, not destroyed.
    const [row] = await listMessages(t.ctx, { userId: t.team.bob.id, mailboxId: bobBox, uids: [uid] });
    expect(row?.hidden).toBe(true);
  });

  it("streams a large message intact; a client vanishing mid-RETR ends only its own session", async () => {
    const line = `${"あいうえお".repeat(14)}\r\n`;
    const big = Buffer.concat([
      mail({ subject: "大きい", body: "" }),
      Buffer.from(line.repeat(Math.ceil((6 * 1024 * 1024) / Buffer.byteLength(line)))),
    ]);
    await deliverTo(t, "carol@example.co.jp", big);
    // A client that vanishes in the middle of a RETR ends only its own session.
    const dropped = await loginWhenFree("carol@example.co.jp", PASSWORDS.carol);
    dropped.send("RETR 1");
    expect(await dropped.line()).toBe(`+OK ${big.length} octets`);
    dropped.close();
    const carol = await loginWhenFree("carol@example.co.jp", PASSWORDS.carol);
    carol.send("RETR 1");
    expect(await carol.line()).toBe(`+OK ${big.length} octets`);
    const body = await carol.rawBody();
    expect(body.equals(big)).toBe(true);
    expect(await carol.command("NOOP")).toBe("+OK");
    await carol.command("QUIT");
  });

  it("answers storage failures with [SYS/TEMP] and keeps the session", async () => {
    const store = failingStore(coreStore(t.ctx), { stream: true, markSeen: true, hide: true });
    const ports = await t.startServers({ store });
    const c = await RawClient.connect(ports.tlsPort, { tls: { ca: t.tls.cert } });
    await c.line();
    await c.command(`USER ${ALICE}`);
    expect(await c.command(`PASS ${PASSWORDS.alice}`)).toMatch(/^\+OK/);
    expect(await c.command("RETR 1")).toBe("-ERR [SYS/TEMP] message is temporarily unavailable");
    expect(await c.command("NOOP")).toBe("+OK");
    expect(await c.command("DELE 1")).toBe("+OK message 1 deleted");
    expect(await c.command("QUIT")).toBe(
      "-ERR [SYS/TEMP] deleted messages could not be removed; they remain in the maildrop",
    );
    await c.waitClosed();

    const broken = await t.startServers({ store: failingStore(coreStore(t.ctx), { open: true }) });
    const d = await RawClient.connect(broken.tlsPort, { tls: { ca: t.tls.cert } });
    await d.line();
    await d.command(`USER ${ALICE}`);
    expect(await d.command(`PASS ${PASSWORDS.alice}`)).toBe(
      "-ERR [SYS/TEMP] temporary server failure, please try again",
    );
    expect(await d.command("QUIT")).toBe("+OK bye");
  });

  it("logs out an idle client", async () => {
    const ports = await t.startServers({ idleTimeoutMs: 200 });
    const c = await RawClient.connect(ports.plainPort);
    await c.line();
    expect(await c.line()).toBe("-ERR idle for too long, closing connection");
    await c.waitClosed();
  });
});
