import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { listMailboxes, listMessages } from "@madoguchi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail } from "../../core/test/fixtures";
import { createPop3TestEnv, deliverTo, drivers, PASSWORDS, type Pop3TestEnv } from "./setup";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const ISO_2022_JP = fs.readFileSync(path.join(here, "../../mail/test/fixtures/iso2022jp-labelled.eml"));
const INFO = "info@example.co.jp";

interface PoplibResult {
  error?: string;
  capa: string[];
  stat: [number, number];
  list: string[];
  uidl: string[];
  messages: string[];
  top: string[];
  quit: string;
}

/** Real clients against the server: Python's poplib and Debian's fetchmail. */
describe.each(drivers)("POP3 with poplib and fetchmail on %s", (driver) => {
  let t: Pop3TestEnv;
  let dir: string;
  let caFile: string;
  const shared = [
    ISO_2022_JP,
    mail({ subject: "見積もり", body: ".先頭がドット\r\n本文\r\n" }),
    mail({ subject: "請求書" }),
  ];

  beforeAll(async () => {
    t = await createPop3TestEnv(driver);
    for (const m of shared) await deliverTo(t, INFO, m);
    await deliverTo(t, "alice@example.co.jp", mail({ subject: "個人宛" }));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "madoguchi-pop3-clients-"));
    caFile = path.join(dir, "ca.pem");
    fs.writeFileSync(caFile, t.tls.cert);
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function poplib(mode: "ssl" | "stls", user: string, pass: string, dele: number[] = []) {
    const port = mode === "ssl" ? t.tlsPort : t.plainPort;
    const script = path.join(here, "poplib_client.py");
    const args = [script, String(port), caFile, mode, user, pass, ...dele.map(String)];
    const { stdout } = await run("python3", args, { timeout: 60_000 });
    return JSON.parse(stdout) as PoplibResult;
  }

  const infoBox = () => t.inboxOf(INFO, t.team.alice.id);
  const seenBy = async (userId: number) =>
    (await listMessages(t.ctx, { userId, mailboxId: await infoBox() })).filter((m) =>
      m.flags.includes("\\Seen"),
    ).length;

  it("poplib over POP3S downloads the shared inbox byte for byte and marks it seen for that user only", async () => {
    const r = await poplib("ssl", `bob@example.co.jp/${INFO}`, PASSWORDS.bob);
    expect(r.error).toBeUndefined();
    expect(r.capa).toEqual(
      expect.arrayContaining(["USER", "UIDL", "TOP", "SASL", "PIPELINING", "RESP-CODES"]),
    );
    expect(r.stat).toEqual([3, shared.reduce((s, m) => s + m.length, 0)]);
    expect(r.messages.map((b) => Buffer.from(b, "base64"))).toEqual(shared);
    expect(r.top.at(-1)).toBe("");
    expect(r.quit).toMatch(/^\+OK/);
    expect(await seenBy(t.team.bob.id)).toBe(3);
    expect(await seenBy(t.team.alice.id)).toBe(0);
    const again = await poplib("ssl", `bob@example.co.jp/${INFO}`, PASSWORDS.bob);
    expect(again.uidl).toEqual(r.uidl);
    expect(r.uidl).toHaveLength(3);
  });

  it("poplib after STLS reads the personal inbox; a non-member gets [AUTH] for the shared one", async () => {
    const own = await poplib("stls", "alice@example.co.jp", PASSWORDS.alice);
    expect(own.stat[0]).toBe(1);
    expect(Buffer.from(own.messages[0] ?? "", "base64").toString()).toContain("Subject: =?UTF-8?B?");
    const carol = await poplib("ssl", `carol@example.co.jp/${INFO}`, PASSWORDS.carol);
    expect(carol.error).toBe("-ERR [AUTH] invalid user name, password or maildrop");
  });

  async function fetchmail(
    name: string,
    opts: { user: string; pass: string; keep: boolean; stls?: boolean },
  ) {
    const home = path.join(dir, name);
    const out = path.join(home, "out");
    fs.mkdirSync(out, { recursive: true });
    const mda = path.join(home, "mda.sh");
    fs.writeFileSync(mda, `#!/bin/sh\nexec cat > "${out}/$(date +%s%N)-$$.eml"\n`, { mode: 0o755 });
    const rc = path.join(home, "fetchmailrc");
    const local = os.userInfo().username;
    const tls = opts.stls ? `sslproto "TLS1.2+"` : "ssl";
    const port = opts.stls ? t.plainPort : t.tlsPort;
    fs.writeFileSync(
      rc,
      [
        "set no bouncemail",
        "set invisible",
        `poll 127.0.0.1 protocol POP3 service ${port} uidl`,
        `  user "${opts.user}" there with password "${opts.pass}" is "${local}" here`,
        `  ${tls} sslcertck sslcertfile "${caFile}" sslcommonname "localhost"`,
        `  ${opts.keep ? "keep" : "nokeep"} norewrite`,
        `  mda "${mda}"`,
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    const args = [
      "-f",
      rc,
      "-i",
      path.join(home, "fetchids"),
      "--pidfile",
      path.join(home, "pid"),
      "--nosyslog",
    ];
    const { code, log } = await run("fetchmail", ["-v", ...args], {
      timeout: 60_000,
      env: { ...process.env, HOME: home },
    }).then(
      (r) => ({ code: 0, log: r.stdout + r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: e.code ?? -1,
        log: `${e.stdout}${e.stderr}`,
      }),
    );
    if (process.env.DEBUG_FETCHMAIL) console.log(log);
    const files = fs.readdirSync(out).sort();
    const messages = files.map((f) => fs.readFileSync(path.join(out, f)));
    for (const f of files) fs.rmSync(path.join(out, f));
    const ids = fs.existsSync(path.join(home, "fetchids"))
      ? fs.readFileSync(path.join(home, "fetchids"), "utf8")
      : "";
    return { code, messages, ids, log };
  }

  /** fetchmail hands the MDA LF line ends; with CRLF put back the bytes must be the delivered ones. */
  const crlf = (b: Buffer) => Buffer.from(b.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1");

  it("fetchmail over POP3S keeps mail on the server, and its UIDL bookkeeping skips it the second time", async () => {
    const first = await fetchmail("keep", {
      user: `alice@example.co.jp/${INFO}`,
      pass: PASSWORDS.alice,
      keep: true,
    });
    expect(first.code).toBe(0);
    expect(first.messages.map(crlf)).toEqual(shared);
    const uidValidity = (await listMailboxes(t.ctx, t.team.alice.id)).find(
      (b) => b.inboxAddress === INFO && b.name === "INBOX",
    )?.uidValidity;
    expect(first.ids).toContain(`${uidValidity}.1`);
    const second = await fetchmail("keep", {
      user: `alice@example.co.jp/${INFO}`,
      pass: PASSWORDS.alice,
      keep: true,
    });
    expect(second.code).toBe(1);
    expect(second.messages).toEqual([]);
  });

  it("fetchmail after STLS deletes from its own view only; the teammate still has everything", async () => {
    const first = await fetchmail("dele", {
      user: `alice@example.co.jp/${INFO}`,
      pass: PASSWORDS.alice,
      keep: false,
      stls: true,
    });
    expect(first.code).toBe(0);
    expect(first.messages.map(crlf)).toEqual(shared);
    const fresh = await fetchmail("dele-fresh-ids", {
      user: `alice@example.co.jp/${INFO}`,
      pass: PASSWORDS.alice,
      keep: true,
      stls: true,
    });
    expect(fresh.code).toBe(1);
    const bob = await poplib("ssl", `bob@example.co.jp/${INFO}`, PASSWORDS.bob);
    expect(bob.stat[0]).toBe(3);
    expect(bob.messages.map((b) => Buffer.from(b, "base64"))).toEqual(shared);
    const aliceView = await listMessages(t.ctx, { userId: t.team.alice.id, mailboxId: await infoBox() });
    expect(aliceView.map((m) => m.hidden)).toEqual([true, true, true]);
  });

  it("fetchmail as a non-member is refused like a wrong password", async () => {
    const carol = await fetchmail("carol", {
      user: `carol@example.co.jp/${INFO}`,
      pass: PASSWORDS.carol,
      keep: true,
    });
    expect(carol.code).toBe(3);
    expect(carol.messages).toEqual([]);
  });
});
