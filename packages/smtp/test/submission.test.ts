import { deliver, findInboxByAddress } from "@madoguchi/core";
import { changes, conversations, drafts, messages, outboundQueue } from "@madoguchi/db/schema";
import { and, eq } from "drizzle-orm";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, mail, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { python, transcript } from "./support/clients";
import { type RunningSmtp, startTestSmtp } from "./support/smtp-env";
import { findStored, storedIn } from "./support/store";

const uid = () => Math.random().toString(36).slice(2, 10);

describe.each(drivers)("submission on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let smtp: RunningSmtp;

  beforeAll(async () => {
    env = await createTestEnv(driver);
    team = await createTeam(env.ctx);
    smtp = await startTestSmtp(env.ctx, env.dir);
  });
  afterAll(async () => {
    await smtp?.close();
    await env?.close();
  });

  function as(user: "alice" | "bob" | "carol", password?: string, implicitTls = false) {
    const n = { alice: 1, bob: 2, carol: 3 }[user];
    return nodemailer.createTransport({
      host: "127.0.0.1",
      port: implicitTls ? smtp.submissionsPort : smtp.submissionPort,
      secure: implicitTls,
      requireTLS: !implicitTls,
      tls: { rejectUnauthorized: false },
      auth: { user: `${user}@example.co.jp`, pass: password ?? `correct horse ${n}` },
    });
  }

  /** A customer message in info@, as the MX would have stored it. */
  async function customerWrites(subject: string) {
    const id = `${uid()}@customer.example`;
    const d = await deliver(env.ctx, team.info.id, mail({ messageId: id, subject }));
    return { id, conversationId: d.conversationId ?? -1 };
  }

  function reply(
    from: string,
    to: string,
    inReplyTo: string,
    body: string,
    messageId = `${uid()}@example.co.jp`,
  ) {
    return mail({
      from,
      to,
      subject: "Re: お問い合わせ",
      inReplyTo,
      references: `<${inReplyTo}>`,
      messageId,
      body,
    });
  }

  it("requires authentication, and refuses AUTH before STARTTLS", async () => {
    const replies = await transcript(
      smtp.submissionPort,
      ["EHLO c.example", "MAIL FROM:<alice@example.co.jp>", "AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY28uanAAeA=="],
      { untilReplies: 4 },
    );
    const finals = replies.filter((r) => /^\d{3} /.test(r));
    expect(finals[2]).toMatch(/^530 5\.7\.0 Authentication required/);
    expect(finals[3]).toMatch(/^538 5\.7\.0 /);
  });

  it("answers a wrong password with 535 5.7.8", async () => {
    const err = await as("alice", "wrong password")
      .sendMail({ envelope: { from: "alice@example.co.jp", to: ["x@customer.example"] }, raw: mail() })
      .catch((e) => e);
    expect(err.responseCode).toBe(535);
    expect(err.response).toMatch(/^535 5\.7\.8 /);
  });

  it("refuses to send as an address the user does not hold, envelope or From header (553 5.7.1)", async () => {
    const envelope = await as("carol")
      .sendMail({
        envelope: { from: "info@example.co.jp", to: ["x@customer.example"] },
        raw: mail({ from: "info@example.co.jp" }),
      })
      .catch((e) => e);
    expect(envelope.response).toMatch(
      /^553 5\.7\.1 carol@example\.co\.jp may not send as info@example\.co\.jp/,
    );
    const header = await as("carol")
      .sendMail({
        envelope: { from: "carol@example.co.jp", to: ["x@customer.example"] },
        raw: mail({ from: "お問い合わせ <info@example.co.jp>" }),
      })
      .catch((e) => e);
    expect(header.response).toMatch(/^553 5\.7\.1 .*info@example\.co\.jp/);
  });

  it("stores an accepted reply in Sent, DKIM-signed, records it in the conversation and queues it", async () => {
    const customer = await customerWrites("納期について");
    const messageId = `${uid()}@example.co.jp`;
    const info = await as("alice").sendMail({
      envelope: { from: "info@example.co.jp", to: ["taro@customer.example"] },
      raw: reply(
        "お問い合わせ <info@example.co.jp>",
        "taro@customer.example",
        customer.id,
        "承知しました。",
        messageId,
      ),
    });
    expect(info.response).toMatch(new RegExp(`^250 .*queued as <${messageId}>`));
    const sent = await findStored(env.ctx, team.info.id, messageId, "Sent");
    expect(sent?.direction).toBe("outbound");
    expect(sent?.conversationId).toBe(customer.conversationId);
    expect(sent?.raw).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=example\.co\.jp;/);
    const [conversation] = await env.ctx.db
      .select()
      .from(conversations)
      .where(eq(conversations.id, customer.conversationId));
    expect(conversation?.status).toBe("done");
    const replies = await env.ctx.db
      .select()
      .from(changes)
      .where(and(eq(changes.conversationId, customer.conversationId), eq(changes.kind, "reply_sent")));
    expect(replies.map((r) => r.actorId)).toEqual([team.alice.id]);
    const original = await findStored(env.ctx, team.info.id, customer.id);
    expect(original?.flags).toContain("\\Answered");
    const queued = await env.ctx.db.select().from(outboundQueue);
    expect(queued.some((q) => q.domain === "customer.example" && q.state === "queued")).toBe(true);
  });

  it("refuses a stale reply with 550 5.7.1 naming who replied, and keeps it as a draft", async () => {
    const customer = await customerWrites("返品について");
    await as("alice").sendMail({
      envelope: { from: "info@example.co.jp", to: ["taro@customer.example"] },
      raw: reply("info@example.co.jp", "taro@customer.example", customer.id, "アリスの返信"),
    });
    // Bob's Outlook still shows only the customer's message and answers it too.
    const err = await as("bob")
      .sendMail({
        envelope: { from: "info@example.co.jp", to: ["taro@customer.example"] },
        raw: reply("info@example.co.jp", "taro@customer.example", customer.id, "ボブの二重返信"),
      })
      .catch((e) => e);
    expect(err.responseCode).toBe(550);
    expect(err.response).toMatch(/^550 5\.7\.1 佐藤 愛 already replied to this conversation at \d{4}-/);
    expect(err.response).toContain("kept as a draft");
    const kept = await env.ctx.db
      .select()
      .from(drafts)
      .where(and(eq(drafts.conversationId, customer.conversationId), eq(drafts.authorId, team.bob.id)));
    expect(kept).toHaveLength(1);
    expect(kept[0]?.state).toBe("refused");
    expect(kept[0]?.content.bodyText).toContain("ボブの二重返信");
    const raw = await env.ctx.blobs.get(kept[0]?.content.rawBlobHash ?? "");
    expect(raw.toString()).toContain("ボブの二重返信");
    const sent = await storedIn(env.ctx, team.info.id, "Sent");
    expect(sent.some((m) => m.bodyText.includes("ボブの二重返信"))).toBe(false);
  });

  it("lets a reply to a later message through (the client has seen the earlier reply)", async () => {
    const customer = await customerWrites("追加の質問");
    const first = `${uid()}@example.co.jp`;
    await as("alice").sendMail({
      envelope: { from: "info@example.co.jp", to: ["taro@customer.example"] },
      raw: reply("info@example.co.jp", "taro@customer.example", customer.id, "一回目", first),
    });
    const info = await as("bob").sendMail({
      envelope: { from: "info@example.co.jp", to: ["taro@customer.example"] },
      raw: reply("info@example.co.jp", "taro@customer.example", first, "アリスの返信への補足"),
    });
    expect(info.response).toMatch(/^250 /);
  });

  it("queues a resubmitted Message-ID once", async () => {
    const messageId = `${uid()}@example.co.jp`;
    const raw = mail({
      from: "alice@example.co.jp",
      to: "hanako@customer.example",
      messageId,
      subject: "再送",
    });
    for (let i = 0; i < 2; i++) {
      const info = await as("alice").sendMail({
        envelope: { from: "alice@example.co.jp", to: ["hanako@customer.example"] },
        raw,
      });
      expect(info.response).toMatch(/^250 /);
    }
    const alice = await findInboxByAddress(env.ctx.db, "alice@example.co.jp");
    const sent = (await storedIn(env.ctx, alice?.id ?? -1, "Sent")).filter(
      (m) => m.messageIdHeader === messageId,
    );
    expect(sent).toHaveLength(1);
    const rows = await env.ctx.db
      .select()
      .from(outboundQueue)
      .where(eq(outboundQueue.domain, "customer.example"));
    const forThis = rows.filter((r) => r.recipients.includes("hanako@customer.example"));
    expect(forThis).toHaveLength(1);
  });

  it("delivers to local recipients directly, over implicit TLS (465), with a generated Message-ID", async () => {
    const info = await as("alice", undefined, true).sendMail({
      envelope: { from: "alice@example.co.jp", to: ["bob@example.co.jp"] },
      raw: Buffer.from(
        "From: alice@example.co.jp\r\nTo: bob@example.co.jp\r\nSubject: lunch\r\n\r\nランチどう？\r\n",
      ),
    });
    const messageId = /queued as <([^>]+)>/.exec(info.response)?.[1] ?? "";
    expect(messageId).toMatch(/@mx\.example\.co\.jp$/);
    const bob = await findInboxByAddress(env.ctx.db, "bob@example.co.jp");
    const got = await findStored(env.ctx, bob?.id ?? -1, messageId);
    expect(got?.bodyText).toContain("ランチどう？");
    const queued = await env.ctx.db
      .select()
      .from(outboundQueue)
      .where(eq(outboundQueue.domain, "example.co.jp"));
    expect(queued).toHaveLength(0);
  });

  it("works with Python's smtplib over STARTTLS using AUTH LOGIN (Outlook's mechanism)", async () => {
    const py = await python(`
import smtplib, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", ${smtp.submissionPort}, timeout=10)
s.starttls(context=ctx)
s.ehlo("py.example.co.jp")
s.user, s.password = "bob@example.co.jp", "correct horse 2"
print("AUTH", s.auth("LOGIN", s.auth_login, initial_response_ok=False))
msg = "From: bob@example.co.jp\\r\\nTo: jiro@customer.example\\r\\nSubject: py\\r\\n\\r\\nbody\\r\\n"
print("SENT", s.sendmail("bob@example.co.jp", ["jiro@customer.example"], msg))
s.quit()
`);
    expect(py.stderr).toBe("");
    expect(py.stdout).toMatch(/AUTH \(235, b'2\.7\.0 Authentication successful'\)/);
    expect(py.stdout).toContain("SENT {}");
    const rows = await env.ctx.db
      .select()
      .from(outboundQueue)
      .where(eq(outboundQueue.domain, "customer.example"));
    expect(rows.some((r) => r.recipients.includes("jiro@customer.example"))).toBe(true);
    const [stored] = await env.ctx.db.select().from(messages).where(eq(messages.subject, "py"));
    expect(stored?.direction).toBe("outbound");
  });
});
