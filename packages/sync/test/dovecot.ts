import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createSelfSigned } from "@madoguchi/tls";
import { ImapFlow } from "imapflow";

/** The unprivileged user Dovecot's mail processes run as (it refuses root). */
const MAIL_UID = 65534;
const MAIL_GID = 65534;
const START_TIMEOUT_MS = 15_000;

export interface Dovecot {
  host: "127.0.0.1";
  /** Plain IMAP (LOGIN allowed without TLS: loopback only). */
  port: number;
  /** Implicit TLS, self-signed certificate for "localhost". */
  tlsPort: number;
  user: string;
  password: string;
  dir: string;
  /** Maildir of the user's INBOX; a folder "X" lives in `.X` inside it. */
  maildir: string;
  /** A logged-in imapflow client for putting mail in (APPEND) and rearranging folders. */
  client(): Promise<ImapFlow>;
  /** Writes a message straight into a Maildir folder (fast seeding; Dovecot assigns UIDs on next look). */
  writeMaildir(raw: Buffer, folder?: string): void;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (let i = 0; i < 300 && Date.now() < deadline; i++) {
    if (child.exitCode !== null) break;
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const text = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
  throw new Error(`dovecot did not start on ${port}: ${text.slice(-2000)}`);
}

function chownTree(dir: string) {
  fs.chownSync(dir, MAIL_UID, MAIL_GID);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p);
    else fs.chownSync(p, MAIL_UID, MAIL_GID);
  }
}

/** Debian's Dovecot on loopback ports with its own config, one passwd-file user and a Maildir in a temp dir. */
export async function startDovecot(): Promise<Dovecot> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "madoguchi-dovecot-"));
  fs.chmodSync(dir, 0o755);
  const [port, tlsPort] = [await freePort(), await freePort()];
  const user = "info@provider.test";
  const password = `pw-${randomBytes(6).toString("hex")}`;
  const mailRoot = path.join(dir, "mail");
  const maildir = path.join(mailRoot, user);
  for (const sub of ["cur", "new", "tmp"]) fs.mkdirSync(path.join(maildir, sub), { recursive: true });
  chownTree(mailRoot);
  const { key, cert } = await createSelfSigned("localhost");
  fs.writeFileSync(path.join(dir, "key.pem"), key, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "cert.pem"), cert);
  fs.writeFileSync(path.join(dir, "passwd"), `${user}:{PLAIN}${password}\n`);
  const log = path.join(dir, "dovecot.log");
  const conf = `
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${log}
info_log_path = ${log}
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovenull
default_login_user = dovenull
first_valid_uid = ${MAIL_UID}
last_valid_uid = ${MAIL_UID}
mail_location = maildir:${mailRoot}/%u
mailbox_idle_check_interval = 1 secs
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${MAIL_UID} gid=${MAIL_GID} home=${mailRoot}/%u
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = create
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
    ssl = yes
  }
}
protocol imap {
  mail_max_userip_connections = 200
}
`;
  const confPath = path.join(dir, "dovecot.conf");
  fs.writeFileSync(confPath, conf);
  const child = spawn("dovecot", ["-F", "-c", confPath], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  try {
    await waitForPort(port, child, log);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  let seq = 0;
  return {
    host: "127.0.0.1",
    port,
    tlsPort,
    user,
    password,
    dir,
    maildir,
    async client() {
      const c = new ImapFlow({
        host: "127.0.0.1",
        port,
        secure: false,
        doSTARTTLS: false,
        auth: { user, pass: password },
        logger: false,
      });
      c.on("error", () => {});
      await c.connect();
      return c;
    },
    writeMaildir(raw, folder) {
      const base = folder && folder !== "INBOX" ? path.join(maildir, `.${folder}`) : maildir;
      const name = `${Date.now()}.M${seq++}P${process.pid}.madoguchi-test`;
      const tmp = path.join(base, "tmp", name);
      fs.writeFileSync(tmp, raw);
      fs.chownSync(tmp, MAIL_UID, MAIL_GID);
      fs.renameSync(tmp, path.join(base, "new", name));
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
