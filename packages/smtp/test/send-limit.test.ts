import { messages } from "@madoguchi/db/schema";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam } from "../../core/test/fixtures";
import { createTestEnv, type TestEnv } from "../../core/test/harness";
import { python } from "./support/clients";
import { type RunningSmtp, startTestSmtp } from "./support/smtp-env";

/** The sending limit as a mail client meets it: a temporary refusal at the end of DATA. */
describe("submission past the sending limit", () => {
  let env: TestEnv;
  let smtp: RunningSmtp;

  beforeAll(async () => {
    env = await createTestEnv("pglite");
    await createTeam(env.ctx);
    smtp = await startTestSmtp({ ...env.ctx, sendLimitPerHour: 2 }, env.dir);
  });
  afterAll(async () => {
    await smtp?.close();
    await env?.close();
  });

  it("takes mail up to the limit, then answers 450 4.7.1 with the reason and keeps nothing (Python's smtplib)", async () => {
    const py = await python(`
import smtplib, ssl
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", ${smtp.submissionPort}, timeout=10)
s.starttls(context=ctx)
s.login("bob@example.co.jp", "correct horse 2")
for n, to in ((1, ["a@customer.example", "b@customer.example"]), (2, ["c@customer.example"])):
    msg = "From: bob@example.co.jp\\r\\nTo: %s\\r\\nSubject: limit %d\\r\\n\\r\\nbody\\r\\n" % (", ".join(to), n)
    try:
        print("SENT", n, s.sendmail("bob@example.co.jp", to, msg))
    except smtplib.SMTPDataError as e:
        print("REFUSED", n, e.smtp_code, e.smtp_error.decode())
s.quit()
`);
    expect(py.stderr).toBe("");
    expect(py.stdout).toContain("SENT 1 {}");
    expect(py.stdout).toContain(
      "REFUSED 2 450 4.7.1 Sending limit reached: at most 2 recipients at other servers per hour, 2 in the last hour.",
    );
    expect(await env.ctx.db.select().from(messages).where(eq(messages.subject, "limit 1"))).toHaveLength(1);
    expect(await env.ctx.db.select().from(messages).where(eq(messages.subject, "limit 2"))).toHaveLength(0);
  });
});
