import { addSharedInbox, deliver } from "@madoguchi/core";
import { type RunningListener, startListeners } from "@madoguchi/smtp";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, mail, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { type CustomerDomain, startCustomerDomain } from "../../smtp/test/support/customer";
import { queueRowsOf } from "../../smtp/test/support/queue";
import { type Receiver, startReceiver } from "../../smtp/test/support/receiver";
import { HOSTNAME, testTls } from "../../smtp/test/support/smtp-env";
import { createConnectorRoute } from "../src/outbound";
import { type Dovecot, startDovecot } from "./dovecot";
import { connectDovecot, secretKey, waitFor } from "./setup";

const uid = () => Math.random().toString(36).slice(2, 10);

/*
 * The connector's outbound route as the server wires it (apps/server: createConnectorRoute handed
 * to the SMTP listeners' queue worker): a reply submitted by an agent leaves through the
 * provider's SMTP server, not by our MX delivery, and its copy lands in the provider's Sent folder.
 */
describe.each(drivers)("queue worker routes a connected inbox through its provider on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let dovecot: Dovecot;
  /** The provider's submission server: STARTTLS, AUTH with the mailbox's credentials. */
  let provider: Receiver;
  /** The customer domain's MX: only mail of inboxes without a connector may arrive here. */
  let customer: CustomerDomain;
  let listeners: RunningListener[];
  let submissionPort: number;

  beforeAll(async () => {
    [env, dovecot] = await Promise.all([createTestEnv(driver), startDovecot()]);
    team = await createTeam(env.ctx);
    provider = await startReceiver({ auth: { user: dovecot.user, pass: dovecot.password } });
    customer = await startCustomerDomain();
    await connectDovecot(env.ctx, dovecot, team.info.address, {
      smtpHost: "127.0.0.1",
      smtpPort: provider.port,
      smtpTls: "starttls",
      // The provider's test certificate is self-signed.
      allowInvalidCert: true,
    });
    listeners = await startListeners({
      ctx: env.ctx,
      config: {
        dataDir: env.dir,
        hostname: HOSTNAME,
        bind: "127.0.0.1",
        ports: { smtp: 0, submission: 0, submissions: 0 },
        smtp: {
          dnsServers: [customer.dns.server],
          outboundPort: customer.receiver.port,
          queuePollMs: 100,
          limits: { greetingDelayMs: 0 },
        },
      },
      tls: await testTls(),
      connectorRoute: createConnectorRoute({ ctx: env.ctx, secretKey, timeoutMs: 5_000 }),
      onError: (err) => console.error(err),
    });
    const submission = listeners.find((l) => l.name === "submission, STARTTLS");
    submissionPort = Number(submission?.address.split(":").at(-1));
  });
  afterAll(async () => {
    await Promise.all((listeners ?? []).map((l) => l.close()));
    await provider?.close();
    await customer?.close();
    await dovecot?.stop();
    await env?.close();
  });

  /** Alice answers from Outlook or Thunderbird, over our submission port, as the inbox. */
  function submitReply(from: string, inReplyTo: string, messageId: string) {
    return nodemailer
      .createTransport({
        host: "127.0.0.1",
        port: submissionPort,
        requireTLS: true,
        tls: { rejectUnauthorized: false },
        auth: { user: "alice@example.co.jp", pass: "correct horse 1" },
      })
      .sendMail({
        envelope: { from, to: ["taro@customer.example"] },
        raw: mail({
          from,
          to: "taro@customer.example",
          subject: "Re: お見積り",
          inReplyTo,
          references: `<${inReplyTo}>`,
          messageId,
          body: "お見積りをお送りします。",
        }),
      });
  }

  it("sends a submitted reply through the provider's SMTP and files the copy in the provider's Sent", async () => {
    const customerId = `${uid()}@customer.example`;
    await deliver(env.ctx, team.info.id, mail({ messageId: customerId, subject: "お見積り" }));
    const replyId = `${uid()}@example.co.jp`;
    const info = await submitReply("info@example.co.jp", customerId, replyId);
    expect(info.response).toMatch(/^250 /);

    const [relayed] = await waitFor(
      async () => {
        const got = provider.received.filter((r) => r.messageId === replyId);
        return got.length ? got : undefined;
      },
      15_000,
      "the provider's SMTP to get the reply",
    );
    expect(relayed?.to).toEqual(["taro@customer.example"]);
    expect(relayed?.from).toBe("info@example.co.jp");
    expect(relayed?.secure).toBe(true);
    const [row] = await waitFor(
      async () => {
        const rows = await queueRowsOf(env.ctx, replyId);
        return rows.every((r) => r.state === "sent") && rows.length ? rows : undefined;
      },
      10_000,
      "the queue row to be sent",
    );
    expect(row?.results["taro@customer.example"]?.remoteMta).toBe(`127.0.0.1:${provider.port}`);

    // The copy in the provider's Sent folder is the message the provider relayed, byte for byte.
    const client = await dovecot.client();
    try {
      const lock = await client.getMailboxLock("Sent", { readOnly: true });
      try {
        const uids = await client.search({ header: { "message-id": replyId } }, { uid: true });
        expect(uids).toHaveLength(1);
        const [copy] = await client.fetchAll(uids || [], { source: true, flags: true }, { uid: true });
        expect(copy?.source?.equals(relayed?.raw ?? Buffer.alloc(0))).toBe(true);
        expect(copy?.flags?.has("\\Seen")).toBe(true);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
    // Not by MX: the customer's MX, reachable all along, never saw it.
    expect(customer.receiver.attempts).toBe(0);
  });

  it("still delivers by MX for an inbox without a connector (the route only takes its own)", async () => {
    const salesInbox = await addSharedInbox(env.ctx, {
      address: "sales@example.co.jp",
      name: "営業",
      memberEmails: ["alice@example.co.jp"],
    });
    const customerId = `${uid()}@customer.example`;
    const sales = await deliver(
      env.ctx,
      salesInbox.id,
      mail({ messageId: customerId, to: "sales@example.co.jp" }),
    );
    expect(sales.conversationId).not.toBeNull();
    const replyId = `${uid()}@example.co.jp`;
    const providerBefore = provider.received.length;
    await submitReply("sales@example.co.jp", customerId, replyId);
    await waitFor(
      async () => (customer.receiver.received.some((r) => r.messageId === replyId) ? true : undefined),
      15_000,
      "the customer's MX to get the reply",
    );
    expect(provider.received.length).toBe(providerBefore);
  });
});
