import {
  addDomain,
  addSharedInbox,
  changeInboxAliases,
  findInboxByAddress,
  lookupLocalAddress,
} from "@madoguchi/core";
import { users } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAdmin, createTeam, mail, type Team } from "../../core/test/fixtures";
import { createTestEnv, type TestEnv } from "../../core/test/harness";
import { python, run, submissionAsAlice } from "./support/clients";
import { type RunningSmtp, startTestSmtp } from "./support/smtp-env";
import { storedIn, waitFor } from "./support/store";

/**
 * Addresses that are not an inbox's own: postmaster (RFC 5321 §4.5.1: every served domain takes
 * mail for it) and inbox aliases.
 */
describe("postmaster and aliases", () => {
  let env: TestEnv;
  let team: Team;
  let smtp: RunningSmtp;
  let adminInbox: number;
  let branchPostmaster: number;

  beforeAll(async () => {
    env = await createTestEnv("pglite");
    team = await createTeam(env.ctx);
    await addAdmin(env.ctx);
    adminInbox = (await findInboxByAddress(env.ctx.db, "kanri@example.co.jp"))?.id ?? -1;
    // A domain whose postmaster is a shared inbox of its own.
    await addDomain(env.ctx, "branch.example.jp");
    branchPostmaster = (
      await addSharedInbox(env.ctx, { address: "postmaster@branch.example.jp", name: "Postmaster" })
    ).id;
    smtp = await startTestSmtp(env.ctx, env.dir);
  });
  afterAll(async () => {
    await smtp?.close();
    await env?.close();
  });

  const subjectsIn = async (inboxId: number) => (await storedIn(env.ctx, inboxId)).map((m) => m.subject);

  it("takes RCPT TO:<Postmaster> without a domain and Postmaster@ in any case, into the administrator's inbox", async () => {
    const py = await python(`
import smtplib
s = smtplib.SMTP("127.0.0.1", ${smtp.mxPort}, timeout=10)
s.ehlo("mx.customer.example")
for rcpt, subject in (("Postmaster", "bare postmaster"), ("POSTMASTER@example.co.jp", "upper-case postmaster")):
    s.mail("mailer-daemon@customer.example")
    print(rcpt, s.rcpt("<%s>" % rcpt)[0])
    s.data("From: mailer-daemon@customer.example\\r\\nSubject: %s\\r\\n\\r\\nhello postmaster\\r\\n" % subject)
s.quit()
`);
    expect(py.stdout).toContain("Postmaster 250");
    expect(py.stdout).toContain("POSTMASTER@example.co.jp 250");
    expect(
      await waitFor(async () => {
        const subjects = await subjectsIn(adminInbox);
        return subjects.length === 2 ? subjects : undefined;
      }),
    ).toEqual(["bare postmaster", "upper-case postmaster"]);
  });

  it("gives postmaster to an inbox of that address where there is one (swaks)", async () => {
    const swaks = await run("swaks", [
      "--server",
      `127.0.0.1:${smtp.mxPort}`,
      "--to",
      "postmaster@branch.example.jp",
      "--from",
      "reports@customer.example",
      "--header",
      "Subject: DMARC aggregate report",
    ]);
    expect(swaks.code).toBe(0);
    expect(await subjectsIn(branchPostmaster)).toEqual(["DMARC aggregate report"]);
    expect(await subjectsIn(adminInbox)).not.toContain("DMARC aggregate report");
  });

  it("goes to the first active administrator, and is unknown (550) when there is none", async () => {
    await env.ctx.db.update(users).set({ active: false }).where(eq(users.email, "kanri@example.co.jp"));
    try {
      expect(await lookupLocalAddress(env.ctx.db, "postmaster@example.co.jp")).toEqual({
        domainServed: true,
        inboxId: null,
      });
      expect(await lookupLocalAddress(env.ctx.db, "postmaster@elsewhere.example")).toEqual({
        domainServed: false,
        inboxId: null,
      });
      // Not a postmaster address: unchanged.
      expect((await lookupLocalAddress(env.ctx.db, "postmasters@example.co.jp")).inboxId).toBeNull();
    } finally {
      await env.ctx.db.update(users).set({ active: true }).where(eq(users.email, "kanri@example.co.jp"));
    }
    expect(await lookupLocalAddress(env.ctx.db, "postmaster@example.co.jp")).toEqual({
      domainServed: true,
      inboxId: adminInbox,
    });
  });

  it("delivers mail for an alias into its inbox (swaks), and lets a member send as it (nodemailer, submission)", async () => {
    await changeInboxAliases(env.ctx, team.info.id, { add: ["otoiawase@branch.example.jp"] });
    const swaks = await run("swaks", [
      "--server",
      `127.0.0.1:${smtp.mxPort}`,
      "--to",
      "Otoiawase@branch.example.jp",
      "--from",
      "taro@customer.example",
      "--header",
      "Subject: 別のアドレス宛の問い合わせ",
    ]);
    expect(swaks.code).toBe(0);
    expect(await subjectsIn(team.info.id)).toContain("別のアドレス宛の問い合わせ");
    const info = await submissionAsAlice(smtp.submissionPort).sendMail({
      envelope: { from: "otoiawase@branch.example.jp", to: ["taro@customer.example"] },
      raw: mail({
        from: "お問い合わせ窓口 <otoiawase@branch.example.jp>",
        to: "taro@customer.example",
        messageId: "alias-reply@branch.example.jp",
        subject: "Re: 別のアドレス宛の問い合わせ",
      }),
    });
    expect(info.response).toMatch(/^250 /);
    expect((await storedIn(env.ctx, team.info.id, "Sent")).map((m) => m.subject)).toContain(
      "Re: 別のアドレス宛の問い合わせ",
    );
  });
});
