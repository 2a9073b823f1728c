import { generateKeyPairSync } from "node:crypto";
import { dkimSign } from "mailauth";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTeam, mail, type Team } from "../../core/test/fixtures";
import { createTestEnv, drivers, type TestEnv } from "../../core/test/harness";
import { authservIdOf } from "../src/auth-results";
import { run } from "./support/clients";
import { startTestDns, type TestDns } from "./support/dns-server";
import { HOSTNAME, type RunningSmtp, startTestSmtp } from "./support/smtp-env";
import { findStored } from "./support/store";

const uid = () => Math.random().toString(36).slice(2, 10);

describe.each(drivers)("SPF/DKIM/DMARC verdicts on %s", (driver) => {
  let env: TestEnv;
  let team: Team;
  let dns: TestDns;
  let smtp: RunningSmtp;
  let privateKey: string;

  beforeAll(async () => {
    env = await createTestEnv(driver);
    team = await createTeam(env.ctx);
    dns = await startTestDns();
    const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
    privateKey = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const publicKey = keys.publicKey.export({ type: "spki", format: "der" }).toString("base64");
    // The customer's domain: DKIM key, SPF allowing 127.0.0.1, DMARC p=reject.
    dns.zone.set("sel1._domainkey.customer.example", { TXT: [`v=DKIM1; k=rsa; p=${publicKey}`] });
    dns.zone.set("customer.example", { TXT: ["v=spf1 ip4:127.0.0.1 -all"] });
    dns.zone.set("_dmarc.customer.example", { TXT: ["v=DMARC1; p=reject"] });
    smtp = await startTestSmtp(env.ctx, env.dir, { dnsServers: [dns.server] });
  });
  afterAll(async () => {
    await smtp?.close();
    await dns?.close();
    await env?.close();
  });

  async function signed(raw: Buffer): Promise<Buffer> {
    const signature = {
      signingDomain: "customer.example",
      selector: "sel1",
      privateKey,
      algorithm: "rsa-sha256",
      canonicalization: "relaxed/relaxed",
    };
    const result = await dkimSign(raw, { ...signature, signatureData: [signature] });
    return Buffer.concat([Buffer.from(result.signatures), raw]);
  }

  function send(raw: Buffer, from = "taro@customer.example") {
    return nodemailer
      .createTransport({
        host: "127.0.0.1",
        port: smtp.mxPort,
        ignoreTLS: true,
        name: "mail.customer.example",
      })
      .sendMail({ envelope: { from, to: ["info@example.co.jp"] }, raw });
  }

  it("verifies a DKIM-signed message: dkim, spf and dmarc pass, in the header and the stored verdict", async () => {
    const id = `${uid()}@customer.example`;
    await send(await signed(mail({ messageId: id, subject: "署名付き" })));
    const stored = await findStored(env.ctx, team.info.id, id);
    expect(stored?.authResults).toMatchObject({
      spf: "pass",
      dkim: "pass",
      dkimPassDomains: ["customer.example"],
      dmarc: "pass",
      dmarcPolicy: "reject",
    });
    expect(stored?.raw).toMatch(
      /Authentication-Results: mx\.example\.co\.jp;[\s\S]*dkim=pass[\s\S]*spf=pass/,
    );
  });

  it("marks tampered messages: a changed body (body hash) and a changed header (signature)", async () => {
    const bodyId = `${uid()}@customer.example`;
    const body = (await signed(mail({ messageId: bodyId, body: "振込先は A 銀行です。" }))).toString();
    await send(Buffer.from(body.replace("A 銀行", "B 銀行")));
    const changedBody = await findStored(env.ctx, team.info.id, bodyId);
    expect(changedBody?.bodyText).toContain("B 銀行");
    // RFC 6376 §3.7: a body hash mismatch; mailauth reports it "neutral" with the reason.
    expect(changedBody?.authResults).toMatchObject({ dkim: "neutral", dkimPassDomains: [] });
    expect(changedBody?.raw).toMatch(/dkim=neutral \(body hash did not verify\)/);

    const headerId = `${uid()}@customer.example`;
    const header = (await signed(mail({ messageId: headerId, subject: "請求書" }))).toString();
    const subject = `=?UTF-8?B?${Buffer.from("請求書").toString("base64")}?=`;
    const other = `=?UTF-8?B?${Buffer.from("至急：口座変更").toString("base64")}?=`;
    await send(Buffer.from(header.replace(`Subject: ${subject}`, `Subject: ${other}`)));
    const changedHeader = await findStored(env.ctx, team.info.id, headerId);
    expect(changedHeader?.subject).toBe("至急：口座変更");
    // SPF still passes and aligns, so DMARC passes: the verdicts are recorded separately.
    expect(changedHeader?.authResults).toMatchObject({ dkim: "fail", spf: "pass", dmarc: "pass" });
    expect(changedHeader?.raw).toMatch(/dkim=fail/);
  });

  it("strips Authentication-Results forged in our name (RFC 8601 §5), keeps other hosts' (swaks)", async () => {
    const id = `${uid()}@customer.example`;
    // Unsigned and sent from an address SPF does not cover: only a forged header would say pass.
    const forged = [
      `Authentication-Results: ${HOSTNAME}; dkim=pass header.d=bank.example; dmarc=pass`,
      // Same authserv-id in another case, with a comment and a version, folded.
      `Authentication-Results: (checked) ${HOSTNAME.toUpperCase()} 1;`,
      "\tspf=pass smtp.mailfrom=bank.example",
      "Authentication-Results: relay.customer.example; spf=pass smtp.mailfrom=customer.example",
      // A host whose name merely starts with ours is somebody else.
      `Authentication-Results: ${HOSTNAME}.evil.example; dkim=pass header.d=evil.example`,
    ].join("\r\n");
    const raw = mail({ messageId: id, subject: "偽の認証結果", from: "x@unlisted.example" }).toString();
    const server = `127.0.0.1:${smtp.mxPort}`;
    const envelope = ["--from", "x@unlisted.example", "--to", "info@example.co.jp"];
    const result = await run(
      "swaks",
      ["--server", server, ...envelope, "--data", "-"],
      `${forged}\r\n${raw}`,
    );
    expect(result.stdout).toMatch(/<- {2}250 2\.6\.0 /);
    const stored = await findStored(env.ctx, team.info.id, id);
    const fields = (stored?.raw ?? "").match(/^Authentication-Results:.*(?:\r?\n[ \t].*)*/gim) ?? [];
    const ids = fields.map((f) => authservIdOf(f.slice(f.indexOf(":") + 1)));
    // Only our own verdict in our name, first; the other hosts' claims stay, marked as theirs.
    expect(ids).toEqual([HOSTNAME, "relay.customer.example", `${HOSTNAME}.evil.example`]);
    expect(fields[0]).toMatch(/dkim=none/);
    expect(stored?.raw).not.toContain("header.d=bank.example");
    expect(stored?.authResults).toMatchObject({ dkim: "none", dkimPassDomains: [] });
    expect(stored?.subject).toBe("偽の認証結果");
  });

  it("rejects a forged sender failing both SPF and DKIM under p=reject", async () => {
    // Envelope from another domain, so SPF says nothing for customer.example; the body is altered.
    const forged = Buffer.from(
      (await signed(mail({ body: "本物です" }))).toString().replace("本物です", "偽物です"),
    );
    const err = await send(forged, "bounce@elsewhere.example").catch((e) => e);
    expect(err.response).toMatch(/^550 5\.7\.1 Rejected by the DMARC policy/);
  });
});
