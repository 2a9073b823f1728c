import { outboundQueue } from "@madoguchi/db/schema";
import { parseMessage } from "@madoguchi/mail/parse";
import { eq } from "drizzle-orm";
import { authenticate } from "mailauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, mail, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import type { SmtpSettings } from "../src/config";
import { dnsShow } from "../src/dns-records";
import { startQueueWorker } from "../src/listeners";
import { submissionAsAlice } from "./support/clients";
import { startTestDns, type TestDns } from "./support/dns-server";
import { enqueueDirect } from "./support/queue";
import { type Receiver, refuse, startReceiver } from "./support/receiver";
import { HOSTNAME, type RunningSmtp, startTestSmtp } from "./support/smtp-env";
import { storedIn, waitFor } from "./support/store";

const uid = () => Math.random().toString(36).slice(2, 10);

describe.each(drivers)("outbound delivery on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let dns: TestDns;
  let receiver: Receiver;
  let smtp: RunningSmtp;
  /** Recipients answered 451 on their first try. */
  const flaky = new Set(["retry@example.test"]);
  let settings: SmtpSettings;

  beforeAll(async () => {
    env = await createTestEnv(driver);
    team = await createTeam(env.ctx);
    dns = await startTestDns();
    receiver = await startReceiver({
      rcpt(address) {
        if (address.startsWith("nobody@")) return refuse(550, "5.1.1 <nobody@example.test>: user unknown");
        if (address.startsWith("never@")) return refuse(451, "4.7.1 greylisted, try again later");
        if (flaky.delete(address)) return refuse(451, "4.3.2 busy, try again");
        return undefined;
      },
    });
    // mx1 is preferred but down (nothing listens on 127.0.0.2); mx2 answers.
    dns.zone.set("example.test", {
      MX: [
        { exchange: "mx2.example.test", priority: 20 },
        { exchange: "mx1.example.test", priority: 10 },
      ],
    });
    dns.zone.set("mx1.example.test", { A: ["127.0.0.2"] });
    dns.zone.set("mx2.example.test", { A: ["127.0.0.1"] });
    dns.zone.set("a-only.test", { A: ["127.0.0.1"] });
    for (const r of (await dnsShow(env.ctx, "example.co.jp", { hostname: HOSTNAME })).records) {
      if (r.type === "TXT") dns.zone.set(r.name, { TXT: [r.value] });
    }
    settings = {
      dnsServers: [dns.server],
      outboundPort: receiver.port,
      queuePollMs: 100,
      deliveryLeaseMs: 60_000,
      retry: { retryDelaysMs: [300], maxAgeMs: 60_000, delayNoticeAfterMs: 60_000 },
    };
    smtp = await startTestSmtp(env.ctx, env.dir, { ...settings, outboundWorkers: true });
  });
  afterAll(async () => {
    await smtp?.close();
    await receiver?.close();
    await dns?.close();
    await env?.close();
  });

  async function submit(to: string[], subject: string, body = "本文です。") {
    const messageId = `${uid()}@example.co.jp`;
    await submissionAsAlice(smtp.submissionPort).sendMail({
      envelope: { from: "info@example.co.jp", to },
      raw: mail({ from: "お問い合わせ <info@example.co.jp>", to: to.join(", "), subject, messageId, body }),
    });
    return messageId;
  }

  /** The worker records its verdict just after the receiver's 250: wait for it. */
  const settled = (messageId: string, states: string[]) =>
    waitFor(async () => {
      const rows = await rowsOf(messageId);
      return rows.length && rows.every((r) => states.includes(r.state)) ? rows : undefined;
    });

  const receivedOf = (messageId: string) => receiver.received.filter((r) => r.messageId === messageId);

  async function rowsOf(messageId: string) {
    const rows = await env.ctx.db.select().from(outboundQueue);
    const { outboundMessages } = await import("@madoguchi/db/schema");
    const [message] = await env.ctx.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.messageIdHeader, messageId));
    return rows.filter((r) => r.outboundMessageId === message?.id);
  }

  it("delivers by MX preference, falling back to the next host, over STARTTLS, DKIM-signed and verifiable", async () => {
    const id = await submit(["user@example.test"], "MXで配送");
    const [got] = await waitFor(async () => (receivedOf(id).length ? receivedOf(id) : undefined));
    expect(got?.to).toEqual(["user@example.test"]);
    expect(got?.from).toBe("info@example.co.jp");
    expect(got?.secure).toBe(true);
    const verdict = await authenticate(got?.raw ?? Buffer.alloc(0), {
      ip: "127.0.0.1",
      sender: "info@example.co.jp",
      helo: HOSTNAME,
      mta: "mx2.example.test",
      resolver: async (name: string, type: string) => {
        const { Resolver } = await import("node:dns/promises");
        const r = new Resolver();
        r.setServers([dns.server]);
        return r.resolve(name, type) as Promise<string[][]>;
      },
    });
    const dkim = verdict.dkim.results[0];
    expect(dkim?.status.result).toBe("pass");
    expect(dkim?.signingDomain).toBe("example.co.jp");
    const [row] = await settled(id, ["sent"]);
    expect(row?.results["user@example.test"]?.remoteMta).toBe("mx2.example.test");
  });

  it("falls back to the A record when a domain has no MX", async () => {
    const id = await submit(["someone@a-only.test"], "Aレコードへ");
    await waitFor(async () => (receivedOf(id).length ? true : undefined));
    expect(receivedOf(id)).toHaveLength(1);
  });

  it("retries after a 4xx and then delivers once", async () => {
    const id = await submit(["retry@example.test"], "再試行");
    await waitFor(async () => (receivedOf(id).length ? true : undefined));
    const [row] = await settled(id, ["sent"]);
    expect(row?.attempts).toBe(2);
    expect(receivedOf(id)).toHaveLength(1);
  });

  it("bounces a 5xx recipient into the sender's conversation with a JA/EN explanation, delivering the rest", async () => {
    const id = await submit(["ok@example.test", "nobody@example.test"], "一部不達");
    const bounce = await waitFor(async () => {
      const inbox = await storedIn(env.ctx, team.info.id);
      return inbox.find((m) => m.inReplyTo === id);
    });
    expect(receivedOf(id).map((r) => r.to)).toEqual([["ok@example.test"]]);
    const [sent] = (await storedIn(env.ctx, team.info.id, "Sent")).filter((m) => m.messageIdHeader === id);
    expect(bounce.conversationId).toBe(sent?.conversationId);
    const parsed = await parseMessage(Buffer.from(bounce.raw));
    expect(parsed.dsn).toMatchObject({
      action: "failed",
      status: "5.1.1",
      finalRecipient: "nobody@example.test",
    });
    expect(parsed.dsn?.diagnosticCode).toContain("550 5.1.1 <nobody@example.test>: user unknown");
    expect(parsed.text).toContain("宛先のメールアドレスが存在しません");
    expect(parsed.text).toContain("The recipient address does not exist");
    const rows = await settled(id, ["bounced", "sent"]);
    expect(rows.map((r) => r.state).sort()).toEqual(["bounced", "sent"]);
  });

  it("bounces an unknown domain at once (5.1.2)", async () => {
    const id = await submit(["x@nowhere.test"], "存在しないドメイン");
    const bounce = await waitFor(async () =>
      (await storedIn(env.ctx, team.info.id)).find((m) => m.inReplyTo === id),
    );
    const parsed = await parseMessage(Buffer.from(bounce.raw));
    expect(parsed.dsn?.status).toBe("5.1.2");
    expect(parsed.text).toContain("宛先のドメイン（メールサーバー）が見つかりません");
  });
});

describe.each(drivers)("smarthost and giving up on %s", (driver) => {
  let env: TestEnv;
  let team: Team;

  beforeAll(async () => {
    env = await createTestEnv(driver);
    team = await createTeam(env.ctx);
  });
  afterAll(() => env?.close());

  function worker(settings: SmtpSettings) {
    return startQueueWorker({
      ctx: env.ctx,
      config: {
        dataDir: env.dir,
        hostname: HOSTNAME,
        bind: "127.0.0.1",
        ports: { smtp: 0, submission: 0, submissions: 0 },
        smtp: { queuePollMs: 100, dnsServers: ["127.0.0.1:9"], ...settings },
      },
      onError: (err) => console.error(err),
    });
  }

  it("relays through an authenticating smarthost over STARTTLS (OP25B networks)", async () => {
    const relay = await startReceiver({ auth: { user: "relay-user", pass: "relay-pass" } });
    const running = worker({
      smarthost: {
        host: "127.0.0.1",
        port: relay.port,
        user: "relay-user",
        password: "relay-pass",
        tlsInsecure: true,
      },
    });
    try {
      const id = `${uid()}@example.co.jp`;
      // No DNS at all for far.example: the smarthost does the routing.
      await enqueueDirect(env.ctx, id, ["someone@far.example"]);
      running.nudge();
      const [got] = await waitFor(async () => {
        const r = relay.received.filter((m) => m.messageId === id);
        return r.length ? r : undefined;
      });
      expect(got?.secure).toBe(true);
      expect(got?.to).toEqual(["someone@far.example"]);
    } finally {
      await running.stop(0);
      await relay.close();
    }
  });

  it("tells the sender once that delivery is delayed, then bounces when the maximum age passes", async () => {
    const greylist = await startReceiver({ rcpt: () => refuse(451, "4.7.1 greylisted, try again later") });
    const dns = await startTestDns(new Map([["slow.example", { A: ["127.0.0.1"] }]]));
    const running = worker({
      dnsServers: [dns.server],
      outboundPort: greylist.port,
      retry: { retryDelaysMs: [100], delayNoticeAfterMs: 300, maxAgeMs: 1500 },
    });
    try {
      const id = `${uid()}@example.co.jp`;
      await enqueueDirect(env.ctx, id, ["late@slow.example"]);
      running.nudge();
      const notices = await waitFor(async () => {
        const inbox = (await storedIn(env.ctx, team.info.id)).filter((m) => m.inReplyTo === id);
        return inbox.length >= 2 ? inbox : undefined;
      });
      const parsed = await Promise.all(notices.map((n) => parseMessage(Buffer.from(n.raw))));
      expect(parsed.map((p) => p.dsn?.action)).toEqual(["delayed", "failed"]);
      expect(parsed[0]?.text).toContain("自動で再試行を続けますので、送り直す必要はありません");
      expect(parsed[1]?.dsn?.status).toBe("5.4.7");
      expect(parsed[1]?.dsn?.diagnosticCode).toContain("451 4.7.1 greylisted");
      expect(parsed[1]?.text).toContain("一定期間再試行しましたが");
      expect(greylist.attempts).toBe(0);
    } finally {
      await running.stop(0);
      await greylist.close();
      await dns.close();
    }
  });
});
