import path from "node:path";
import { openDb } from "@madoguchi/db/client";
import { messages } from "@madoguchi/db/schema";
import { FsBlobStore } from "@madoguchi/mail/blob-store";
import { like } from "drizzle-orm";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam } from "../../../packages/core/test/fixtures";
import { type CustomerDomain, startCustomerDomain } from "../../../packages/smtp/test/support/customer";
import { waitFor } from "../../../packages/smtp/test/support/store";
import { type DataDir, freshDataDir, runCli, runCliHere, ServerProcess } from "./processes";

const FREE_PORTS = Object.fromEntries(
  ["HTTP", "SMTP", "SUBMISSION", "SUBMISSIONS", "IMAP", "IMAPS", "POP3", "POP3S"].map((p) => [
    `${p}_PORT`,
    "0",
  ]),
);

// PostgreSQL: the CLI works next to the running server (the embedded database admits one process).
describe("madoguchi queue, next to a running server", () => {
  let data: DataDir;
  let customer: CustomerDomain;
  let server: ServerProcess | undefined;
  /** The first listing is a real `madoguchi` process; the later steps run its entry here (runCliHere). */
  const spawned = (...args: string[]) => runCli(args, data.settings);
  const cli = (...args: string[]) => runCliHere(args, data.settings);

  beforeAll(async () => {
    data = await freshDataDir("postgres");
    // The customer's server is down for a while: it answers 451 until `down` is cleared.
    customer = await startCustomerDomain({ down: true });
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) await server.stop("SIGKILL");
    await customer?.close();
    await data?.remove();
  });

  it("lists mail the remote server deferred, with its answer; retry sends it at once, cancel bounces it at once", {
    timeout: 180_000,
  }, async () => {
    const handle = await openDb({ url: data.settings.DATABASE_URL });
    try {
      server = ServerProcess.start({
        ...data.settings,
        ...FREE_PORTS,
        MADOGUCHI_HOSTNAME: "mail.example.co.jp",
        ...customer.serverEnv,
      });
      const [, submissionPort] = await server.waitFor(/127\.0\.0\.1:(\d+) \(submission, STARTTLS\)/, 60_000);
      await server.waitFor(/Stop with Ctrl\+C/);
      await createTeam({ db: handle.db, blobs: new FsBlobStore(path.join(data.dir, "blobs")) });

      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: Number(submissionPort),
        requireTLS: true,
        tls: { rejectUnauthorized: false },
        auth: { user: "alice@example.co.jp", pass: "correct horse 1" },
      });
      await transport.sendMail({
        from: "お問い合わせ <info@example.co.jp>",
        to: "taro@customer.example",
        subject: "お見積もりの件",
        text: "山田様\nお見積もりをお送りします。\n",
      });
      await waitFor(
        async () => (customer.receiver.attempts >= 1 ? true : undefined),
        30_000,
        "the first attempt",
      );

      const listed = await spawned("queue", "list");
      expect(listed).toMatchObject({ code: 0, stderr: "" });
      const [header, row, ...rest] = listed.stdout.trimEnd().split("\n");
      expect(header).toMatch(/^ID\s+STATE\s+QUEUED\s+TRIES\s+NEXT TRY\s+FROM\s+TO\s+LAST ANSWER$/);
      expect(rest).toEqual(["", "By domain: customer.example 1"]);
      // One recipient domain's mail (a mailq read for one site).
      expect((await cli("queue", "list", "--domain", "Customer.Example")).stdout).toContain(
        "taro@customer.example",
      );
      expect(await cli("queue", "list", "--domain", "other.example")).toMatchObject({
        code: 0,
        stdout: "Nothing for other.example in the queue.\n",
      });
      const match =
        /^(\d+)\s+queued\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+info@example\.co\.jp\s+taro@customer\.example\s+(.*)$/.exec(
          row ?? "",
        );
      expect(match, row).not.toBeNull();
      const [, id = "", answer] = match ?? [];
      expect(answer).toContain("451");
      expect(answer).toContain("Mailbox server restarting");

      // Ids that are not waiting for a retry are named, with why; nothing else happens to them.
      const unknown = await cli("queue", "retry", "999999");
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe("madoguchi: 999999 not retried: no such delivery\n");
      const wrong = await cli("queue", "retry");
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain("usage: madoguchi queue retry <id>... | --all | --domain <domain>");
      expect((await cli("queue", "retry", id, "--domain", "customer.example")).code).toBe(2);
      expect(await cli("queue", "retry", "--domain", "other.example")).toMatchObject({
        code: 0,
        stdout: "Nothing for other.example is waiting for a retry.\n",
      });

      // The customer's server is back: all its mail is retried (postqueue -s). Its next backoff
      // step is a minute away; retried, the message goes within the server's queue poll (5 s).
      customer.down = false;
      const retried = await cli("queue", "retry", "--domain", "customer.example");
      expect(retried).toMatchObject({ code: 0, stdout: `Due now: ${id}\n`, stderr: "" });
      await waitFor(
        async () => (customer.receiver.received.length === 1 ? true : undefined),
        30_000,
        "the retried delivery",
      );
      expect(customer.receiver.received[0]?.to).toEqual(["taro@customer.example"]);

      let empty = await cli("queue", "list");
      // The delivery is recorded a moment after the remote side's 250.
      for (let i = 0; i < 20 && !empty.stdout.startsWith("The queue is empty"); i++) {
        await new Promise((r) => setTimeout(r, 250));
        empty = await cli("queue", "list");
      }
      expect(empty).toMatchObject({ code: 0, stderr: "" });
      expect(empty.stdout).toBe("The queue is empty: every message has been delivered or bounced.\n");
      const sent = await cli("queue", "retry", id);
      expect(sent.code).toBe(1);
      expect(sent.stderr).toBe(`madoguchi: ${id} not retried: delivered already\n`);
      expect(await cli("queue", "retry", "--all")).toMatchObject({
        code: 0,
        stdout: "Nothing is waiting for a retry.\n",
      });

      // Mail to a server that will not take it: cancelled, the sender gets the bounce now.
      customer.down = true;
      await transport.sendMail({
        from: "お問い合わせ <info@example.co.jp>",
        to: "taro@customer.example",
        subject: "ご請求書の件",
        text: "山田様\nご請求書をお送りします。\n",
      });
      transport.close();
      await waitFor(
        async () => (customer.receiver.attempts >= 3 ? true : undefined),
        30_000,
        "the second message's first attempt",
      );
      const second = /^(\d+)\s+queued/m.exec((await cli("queue", "list")).stdout)?.[1] ?? "";
      expect(second).not.toBe("");
      const cancelled = await cli("queue", "cancel", second);
      expect(cancelled).toMatchObject({
        code: 0,
        stdout: `Cancelled: ${second} (each sender gets a bounce)\n`,
        stderr: "",
      });
      const bounce = async () =>
        (
          await handle.db
            .select()
            .from(messages)
            .where(like(messages.messageIdHeader, `dsn-failed-${second}@%`))
        )[0];
      const dsn = await waitFor(bounce, 20_000, "the bounce");
      const raw = (await new FsBlobStore(path.join(data.dir, "blobs")).get(dsn.blobHash)).toString();
      expect(raw).toContain("管理者が配送を中止しました");
      expect(raw).toContain("Diagnostic-Code: smtp; 451 4.3.2 Mailbox server restarting");
      expect(customer.receiver.attempts).toBe(3);
      const again = await cli("queue", "cancel", second);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(
        new RegExp(
          `^madoguchi: ${second} not cancelled: failed for good; (its bounce is on its way|the sender got its bounce)`,
        ),
      );
      expect((await cli("queue", "cancel", "abc")).code).toBe(2);
    } finally {
      await handle.close();
    }
    expect(await server.stop("SIGTERM")).toBe(0);
  });
});
