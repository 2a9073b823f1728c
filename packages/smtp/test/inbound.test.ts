import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { addSharedInbox } from "@madoguchi/core";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, mail, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { python, run, transcript } from "./support/clients";
import { startTestDns, type TestDns } from "./support/dns-server";
import { type RunningSmtp, startTestSmtp } from "./support/smtp-env";
import { findStored, storedIn } from "./support/store";

const MAX_BYTES = 200_000;

function client(port: number, opts: { requireTLS?: boolean } = {}) {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    ignoreTLS: !opts.requireTLS,
    requireTLS: opts.requireTLS ?? false,
    tls: { rejectUnauthorized: false },
    name: "client.customer.example",
  });
}

const uid = () => Math.random().toString(36).slice(2, 10);

describe.each(drivers)("inbound MX on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let dns: TestDns;
  let smtp: RunningSmtp;

  beforeAll(async () => {
    env = await createTestEnv(driver);
    team = await createTeam(env.ctx);
    dns = await startTestDns();
    dns.zone.set("_dmarc.strict.example", { TXT: ["v=DMARC1; p=reject"] });
    smtp = await startTestSmtp(env.ctx, env.dir, {
      dnsServers: [dns.server],
      limits: { maxMessageBytes: MAX_BYTES, maxRecipients: 3, maxBadCommands: 5 },
    });
  });
  afterAll(async () => {
    await smtp?.close();
    await dns?.close();
    await env?.close();
  });

  it("accepts mail for a shared inbox with nodemailer, stamps trace and Authentication-Results headers", async () => {
    const id = `${uid()}@customer.example`;
    const info = await client(smtp.mxPort).sendMail({
      envelope: { from: "taro@customer.example", to: ["info@example.co.jp"] },
      raw: mail({ messageId: id, subject: "見積もりのお願い" }),
    });
    expect(info.response).toMatch(/^250 /);
    const stored = await findStored(env.ctx, team.info.id, id);
    expect(stored?.subject).toBe("見積もりのお願い");
    expect(stored?.raw).toMatch(
      /^Return-Path: <taro@customer.example>\r\nReceived: from client.customer.example/,
    );
    expect(stored?.raw).toContain("Authentication-Results: mx.example.co.jp;");
    expect(stored?.authResults).toMatchObject({ spf: "none", dkim: "none", dmarc: "none" });
  });

  it("refuses unknown local users with 550 5.1.1 and other domains with 550 5.7.1 (no open relay)", async () => {
    const unknown = await client(smtp.mxPort)
      .sendMail({ envelope: { from: "a@customer.example", to: ["nobody@example.co.jp"] }, raw: mail() })
      .catch((e) => e);
    expect(unknown.responseCode).toBe(550);
    expect(unknown.response).toMatch(/^550 5\.1\.1 /);
    const relay = await client(smtp.mxPort)
      .sendMail({ envelope: { from: "a@customer.example", to: ["someone@gmail.example"] }, raw: mail() })
      .catch((e) => e);
    expect(relay.response).toMatch(/^550 5\.7\.1 Relaying denied/);
  });

  it("takes mail for an inbox created right after a refusal: a refusal is never remembered", async () => {
    const send = () =>
      client(smtp.mxPort)
        .sendMail({ envelope: { from: "a@customer.example", to: ["sales@example.co.jp"] }, raw: mail() })
        .catch((e) => e);
    expect((await send()).response).toMatch(/^550 5\.1\.1 /);
    await addSharedInbox(env.ctx, { address: "Sales@example.co.jp", name: "営業", memberEmails: [] });
    const info = await send();
    expect(info.response).toMatch(/^250 /);
    // Then again, from the lookup just made (and with another case in the address).
    const again = await client(smtp.mxPort).sendMail({
      envelope: { from: "a@customer.example", to: ["SALES@example.co.jp"] },
      raw: mail(),
    });
    expect(again.response).toMatch(/^250 /);
  });

  it("advertises SIZE and refuses bigger messages with 552 5.3.4, declared or not", async () => {
    const ehlo = await transcript(
      smtp.mxPort,
      ["EHLO c.example", "MAIL FROM:<a@customer.example> SIZE=999999"],
      {
        untilReplies: 3,
      },
    );
    expect(ehlo.some((l) => l.endsWith(`SIZE ${MAX_BYTES}`))).toBe(true);
    expect(ehlo).toContain("250-PIPELINING");
    expect(ehlo).toContain("250-8BITMIME");
    expect(ehlo).toContain("250-SMTPUTF8");
    expect(ehlo).toContain("250-STARTTLS");
    expect(ehlo).toContain("250-ENHANCEDSTATUSCODES");
    expect(ehlo.at(-1)).toMatch(/^552 5\.3\.4 /);
    const big = await client(smtp.mxPort)
      .sendMail({
        envelope: { from: "a@customer.example", to: ["info@example.co.jp"] },
        raw: mail({ body: "x".repeat(MAX_BYTES + 10) }),
      })
      .catch((e) => e);
    expect(big.responseCode).toBe(552);
    expect(big.response).toMatch(/^552 5\.3\.4 /);
  });

  it("answers a pipelined session in order, and 452 4.5.3 past the recipient limit", async () => {
    const replies = await transcript(
      smtp.mxPort,
      [
        "EHLO pipeline.example",
        "MAIL FROM:<a@customer.example>",
        "RCPT TO:<info@example.co.jp>",
        "RCPT TO:<alice@example.co.jp>",
        "RCPT TO:<bob@example.co.jp>",
        "RCPT TO:<carol@example.co.jp>",
        "RSET",
      ],
      { pipelined: true, untilReplies: 8 },
    );
    const finals = replies.filter((r) => /^\d{3} /.test(r));
    expect(finals.map((r) => r.slice(0, 3))).toEqual([
      "220",
      "250",
      "250",
      "250",
      "250",
      "250",
      "452",
      "250",
    ]);
    expect(finals[6]).toMatch(/^452 4\.5\.3 /);
  });

  it("takes an SMTPUTF8 sender and an 8-bit Japanese body", async () => {
    const id = `${uid()}@customer.example`;
    const body = "8ビットの本文です。\r\n全角文字：ＡＢＣ、半角カナ：ｱｲｳ、絵文字：📧\r\n";
    const info = await client(smtp.mxPort).sendMail({
      envelope: { from: "山田@顧客.example", to: ["info@example.co.jp"] },
      raw: mail({ messageId: id, from: "山田 <山田@顧客.example>", body }),
    });
    expect(info.response).toMatch(/^250 /);
    const stored = await findStored(env.ctx, team.info.id, id);
    expect(stored?.bodyText).toContain("全角文字：ＡＢＣ、半角カナ：ｱｲｳ、絵文字：📧");
    expect(stored?.raw).toContain("Return-Path: <山田@顧客.example>");
  });

  it("upgrades with STARTTLS (nodemailer requireTLS and swaks --tls)", async () => {
    const id = `${uid()}@customer.example`;
    const info = await client(smtp.mxPort, { requireTLS: true }).sendMail({
      envelope: { from: "tls@customer.example", to: ["info@example.co.jp"] },
      raw: mail({ messageId: id }),
    });
    expect(info.response).toMatch(/^250 /);
    expect((await findStored(env.ctx, team.info.id, id))?.raw).toMatch(/with ESMTPS id/);
    const swaks = await run("swaks", [
      "--server",
      `127.0.0.1:${smtp.mxPort}`,
      "--tls",
      "--to",
      "alice@example.co.jp",
      "--from",
      "swaks@customer.example",
      "--header",
      "Subject: swaks over TLS",
      "--body",
      "TLS本文",
    ]);
    expect(swaks.stdout).toMatch(/<~ {2}250 /);
    expect(swaks.code).toBe(0);
    const alice = await storedIn(env.ctx, (await inboxOf("alice@example.co.jp")).id);
    expect(alice.some((m) => m.subject === "swaks over TLS")).toBe(true);
  });

  it("works with swaks --pipeline and Python's smtplib, including smtplib's view of a refusal", async () => {
    const swaks = await run("swaks", [
      "--server",
      `127.0.0.1:${smtp.mxPort}`,
      "--pipeline",
      "--to",
      "info@example.co.jp",
      "--from",
      "pipe@customer.example",
      "--header",
      "Subject: swaks pipelined",
    ]);
    expect(swaks.code).toBe(0);
    expect(swaks.stdout).toMatch(/<- {2}250 .*Ok: stored/);
    const id = `${uid()}@customer.example`;
    const py = await python(`
import smtplib
msg = """From: py@customer.example\\r\\nTo: info@example.co.jp\\r\\nSubject: from python\\r\\nMessage-ID: <${id}>\\r\\n\\r\\nhello from smtplib\\r\\n"""
s = smtplib.SMTP("127.0.0.1", ${smtp.mxPort}, timeout=10)
s.ehlo("py.customer.example")
print("SENT", s.sendmail("py@customer.example", ["info@example.co.jp"], msg))
try:
    s.sendmail("py@customer.example", ["ghost@example.co.jp"], msg)
except smtplib.SMTPRecipientsRefused as e:
    code, text = e.recipients["ghost@example.co.jp"]
    print("REFUSED", code, text.decode())
s.quit()
`);
    expect(py.stderr).toBe("");
    expect(py.stdout).toContain("SENT {}");
    expect(py.stdout).toMatch(/REFUSED 550 5\.1\.1 No such recipient/);
    expect((await findStored(env.ctx, team.info.id, id))?.subject).toBe("from python");
  });

  it("closes a session with 421 after too many refused commands", async () => {
    const rcpts = Array.from({ length: 6 }, (_, i) => `RCPT TO:<ghost${i}@example.co.jp>`);
    const replies = await transcript(smtp.mxPort, ["EHLO bad.example", "MAIL FROM:<a@b.example>", ...rcpts], {
      untilReplies: 10,
    });
    const finals = replies.filter((r) => /^\d{3} /.test(r));
    expect(finals.slice(3, 7).every((r) => r.startsWith("550 5.1.1"))).toBe(true);
    expect(finals[7]).toMatch(/^421 4\.7\.0 Too many errors/);
  });

  it("rejects DMARC p=reject failures with 550 5.7.1", async () => {
    const refused = await client(smtp.mxPort)
      .sendMail({
        envelope: { from: "ceo@strict.example", to: ["info@example.co.jp"] },
        raw: mail({ from: "CEO <ceo@strict.example>" }),
      })
      .catch((e) => e);
    expect(refused.response).toMatch(/^550 5\.7\.1 Rejected by the DMARC policy/);
  });

  it("answers 451 4.3.0 when the message cannot be stored, so the sender keeps it", async () => {
    // A blob directory under a regular file: every write fails with ENOTDIR.
    const file = path.join(env.dir, "not-a-directory");
    fs.writeFileSync(file, "");
    const broken = await startTestSmtp(
      { db: env.ctx.db, blobs: new FsBlobStore(path.join(file, "blobs")) },
      env.dir,
    );
    try {
      const err = await client(broken.mxPort)
        .sendMail({ envelope: { from: "a@customer.example", to: ["info@example.co.jp"] }, raw: mail() })
        .catch((e) => e);
      expect(err.response).toMatch(/^451 4\.3\.0 /);
    } finally {
      await broken.close();
    }
  });

  async function inboxOf(address: string) {
    const { findInboxByAddress } = await import("@madoguchi/core");
    const inbox = await findInboxByAddress(env.ctx.db, address);
    if (!inbox) throw new Error(address);
    return inbox;
  }
});

describe.each(drivers)("MX protection and DMARC quarantine on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let dns: TestDns;
  let smtp: RunningSmtp;

  beforeAll(async () => {
    env = await createTestEnv(driver);
    team = await createTeam(env.ctx);
    dns = await startTestDns();
    dns.zone.set("_dmarc.strict.example", { TXT: ["v=DMARC1; p=reject"] });
    smtp = await startTestSmtp(env.ctx, env.dir, {
      dnsServers: [dns.server],
      dmarcRejectAction: "quarantine",
      limits: { greetingDelayMs: 300, maxConnectionsPerIp: 2 },
    });
  });
  afterAll(async () => {
    await smtp?.close();
    await dns?.close();
    await env?.close();
  });

  it("refuses an early talker with 421", async () => {
    const replies = await transcript(smtp.mxPort, ["EHLO impatient.example"], {
      beforeGreeting: true,
      untilReplies: 1,
    });
    expect(replies.join("\n")).toMatch(/421 .*talk too soon/);
  });

  it("refuses a third simultaneous connection from one address with 421", async () => {
    const open = await Promise.all([0, 1].map(() => connectAndGreet(smtp.mxPort)));
    try {
      const third = await connectAndGreet(smtp.mxPort);
      third.socket.destroy();
      expect(third.greeting).toMatch(/^421 4\.7\.0 Too many connections/);
    } finally {
      for (const c of open) c.socket.destroy();
    }
    expect(open.every((c) => c.greeting.startsWith("220 "))).toBe(true);
  });

  it("quarantines DMARC p=reject failures into Junk when so configured", async () => {
    const id = `${uid()}@strict.example`;
    const info = await client(smtp.mxPort).sendMail({
      envelope: { from: "ceo@strict.example", to: ["info@example.co.jp"] },
      raw: mail({ from: "CEO <ceo@strict.example>", messageId: id }),
    });
    expect(info.response).toMatch(/^250 /);
    const junk = await findStored(env.ctx, team.info.id, id, "Junk");
    expect(junk?.authResults).toMatchObject({ dmarc: "fail", dmarcPolicy: "reject" });
  });
});

function connectAndGreet(port: number): Promise<{ socket: net.Socket; greeting: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    const timer = setTimeout(() => reject(new Error("no greeting")), 5000);
    socket.once("data", (chunk) => {
      clearTimeout(timer);
      resolve({ socket, greeting: chunk.toString() });
    });
    socket.once("error", reject);
  });
}
