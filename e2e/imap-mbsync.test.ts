// A Debian mail client (mbsync from isync) syncs a shared inbox to a local Maildir and back
// over IMAPS, non-interactively, the way a Linux user would keep an offline copy.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { deliver, listMailboxes, listMessages } from "@madoguchi/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mail } from "../packages/core/test/fixtures";
import { drivers } from "../packages/core/test/harness";
import { type ImapTestEnv, startImap } from "../packages/imap/test/helpers";

const run = promisify(execFile);

/** Maildir flags are the letters after ":2," in a file name. */
function maildirFiles(dir: string): { file: string; flags: string; body: Buffer }[] {
  return ["cur", "new"].flatMap((sub) => {
    const d = path.join(dir, sub);
    if (!fs.existsSync(d)) return [];
    return fs.readdirSync(d).map((name) => ({
      file: path.join(d, name),
      flags: name.split(":2,")[1] ?? "",
      body: fs.readFileSync(path.join(d, name)),
    }));
  });
}

describe.each(drivers)("mbsync against the IMAP server (%s)", (driver) => {
  let t: ImapTestEnv;
  let dir: string;
  let rc: string;
  const raws = [
    mail({ subject: "見積もりのお願い", messageId: "mbsync-1@customer.example" }),
    mail({ subject: "納期について", messageId: "mbsync-2@customer.example" }),
    mail({ subject: "請求書の再送", messageId: "mbsync-3@customer.example" }),
  ];

  beforeAll(async () => {
    t = await startImap(driver);
    for (const raw of raws) await deliver(t.env.ctx, t.team.info.id, raw);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "madoguchi-mbsync-"));
    fs.writeFileSync(path.join(dir, "server.crt"), t.cert);
    fs.mkdirSync(path.join(dir, "mail"));
    rc = path.join(dir, "mbsyncrc");
    fs.writeFileSync(
      rc,
      [
        "IMAPAccount madoguchi",
        "Host 127.0.0.1",
        `Port ${t.tlsPort}`,
        "User alice@example.co.jp",
        'Pass "correct horse 1"',
        "SSLType IMAPS",
        `CertificateFile ${path.join(dir, "server.crt")}`,
        "",
        "IMAPStore remote",
        "Account madoguchi",
        "",
        "MaildirStore local",
        `Path ${path.join(dir, "mail")}/`,
        `Inbox ${path.join(dir, "mail", "INBOX")}`,
        "",
        "Channel info",
        'Far :remote:"Shared/info@example.co.jp/INBOX"',
        "Near :local:info",
        "Create Near",
        "Sync All",
        "SyncState *",
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const sync = () => run("mbsync", ["-c", rc, "info"], { timeout: 60_000 });

  it("downloads the shared inbox byte for byte, then pushes flags and a new message back", async () => {
    await sync();
    const local = path.join(dir, "mail", "info");
    const first = maildirFiles(local);
    expect(first).toHaveLength(3);
    // Maildir keeps Unix line ends, and mbsync adds its own X-TUID tracking header;
    // otherwise the bytes are the server's.
    const unix = (b: Buffer) =>
      b
        .toString("latin1")
        .replace(/\r\n/g, "\n")
        .replace(/^X-TUID: .*\n/m, "");
    expect(first.map((f) => unix(f.body)).sort()).toEqual(raws.map(unix).sort());

    // Locally: flag and read one message, and file a new one (e.g. a note saved from elsewhere).
    const target = first.find((f) => f.body.includes("mbsync-2@customer.example"));
    if (!target) throw new Error("message 2 not synced");
    fs.renameSync(
      target.file,
      `${path.join(local, "cur", path.basename(target.file).split(":2,")[0] ?? "")}:2,FS`,
    );
    const added = mail({ subject: "ローカルで作成", messageId: "mbsync-local@customer.example" });
    fs.writeFileSync(path.join(local, "new", `${Date.now()}.local.madoguchi`), added);
    // Meanwhile a customer writes to the shared inbox.
    await deliver(
      t.env.ctx,
      t.team.info.id,
      mail({ subject: "追加の質問", messageId: "mbsync-4@customer.example" }),
    );

    await sync();
    expect(maildirFiles(local)).toHaveLength(5);

    const inbox = (await listMailboxes(t.env.ctx, t.team.bob.id)).find(
      (b) => b.inboxAddress === "info@example.co.jp" && b.name === "INBOX",
    );
    const forAlice = await listMessages(t.env.ctx, { userId: t.team.alice.id, mailboxId: inbox?.id ?? -1 });
    const forBob = await listMessages(t.env.ctx, { userId: t.team.bob.id, mailboxId: inbox?.id ?? -1 });
    expect(forBob).toHaveLength(5);
    const uidOf2 = forAlice.find((m) => m.flags.includes("\\Flagged"))?.uid;
    expect(uidOf2).toBeDefined();
    const second = forAlice.find((m) => m.uid === uidOf2);
    expect(second?.flags).toEqual(expect.arrayContaining(["\\Flagged", "\\Seen"]));
    // \Flagged is the team's; \Seen stays Alice's.
    expect(forBob.find((m) => m.uid === uidOf2)?.flags).toContain("\\Flagged");
    expect(forBob.find((m) => m.uid === uidOf2)?.flags).not.toContain("\\Seen");
    const raw = await t.env.ctx.blobs.get(forBob.at(-1)?.blobHash ?? "");
    expect(raw.toString()).toContain("mbsync-");
  });
});
