import {
  type ConnectorTlsMode,
  findConnectorByInbox,
  folderProgress,
  listConnectors,
  removeConnector,
  sharedInboxIdOf,
} from "@madoguchi/core";
import type { ConnectionTestResult } from "@madoguchi/sync";
import type { ServerConfig } from "../env";
import { type Command, type CommandInput, listOption, stringOption, UsageError } from "./command";
import { formatTable } from "./table";

/**
 * The sync package, loaded by the commands that connect or test (a second of imports the others,
 * and every command's --help, do without).
 */
const loadSync = () => import("@madoguchi/sync");

/** MADOGUCHI_SECRET_KEY, once env.ts reads it into the config; else the key file in the data dir. */
async function secretKeyOf(config: ServerConfig): Promise<Buffer> {
  const { loadSecretKey } = await loadSync();
  return loadSecretKey({ key: config.connectorSecretKey, dataDir: config.dataDir });
}

function tlsOption(value: unknown, name: string, command: Command): ConnectorTlsMode | undefined {
  if (value === undefined) return undefined;
  if (value === "tls" || value === "starttls" || value === "none") return value;
  throw new UsageError(`--${name} must be tls, starttls or none`, command);
}

function portOption(value: unknown, name: string, command: Command): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`--${name} is not a port number`, command);
  return n;
}

/** More than any password; a runaway pipe is cut here instead of filling memory. */
const MAX_STDIN_BYTES = 64 * 1024;

/**
 * `--password-stdin`, as in `docker login`: the password comes from a pipe, so it stays out of
 * shell history and `ps`. First line: the IMAP password; an optional second line: the SMTP
 * password (else the IMAP one). Only the line ending is removed; spaces are part of a password.
 */
async function passwordsFromStdin(command: Command): Promise<{ imap: string; smtp: string | null }> {
  if (process.stdin.isTTY)
    throw new UsageError(
      `--password-stdin reads from a pipe, e.g. printf '%s\\n' "$IMAP_PASSWORD" | madoguchi connector add …`,
      command,
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_STDIN_BYTES)
      throw new UsageError("--password-stdin: stdin is too long for a password", command);
    chunks.push(chunk as Buffer);
  }
  const [imap = "", smtp = ""] = Buffer.concat(chunks).toString("utf8").split(/\r?\n/);
  if (!imap) throw new UsageError("--password-stdin: no password on stdin (first line)", command);
  return { imap, smtp: smtp || null };
}

/** The passwords of `connector add`, from stdin or (discouraged, as docker login does) from arguments. */
async function passwordsOf(
  input: CommandInput,
  command: Command,
): Promise<{ imap: string; smtp: string | null }> {
  const v = input.values;
  if (v["password-stdin"] === true) {
    if (v["imap-password"] !== undefined || v["smtp-password"] !== undefined)
      throw new UsageError(
        "Give the passwords either on stdin (--password-stdin) or as options, not both",
        command,
      );
    return passwordsFromStdin(command);
  }
  if (v["imap-password"] === undefined)
    throw new UsageError("--password-stdin (or --imap-password) is required", command);
  console.error(
    "WARNING! A password on the command line ends up in shell history and ps. Use --password-stdin.",
  );
  return {
    imap: stringOption(input, "imap-password", command),
    smtp: typeof v["smtp-password"] === "string" ? v["smtp-password"] : null,
  };
}

function printChecks(result: ConnectionTestResult): void {
  for (const c of result.checks)
    console.log(`${c.ok ? "ok  " : "FAIL"} ${c.service} ${c.step}: ${c.message}`);
}

const add: Command = {
  path: ["connector", "add"],
  usage:
    "connector add <inbox> --imap-host <host> --imap-user <user> --password-stdin [--smtp-host <host>] […]",
  summary: "Connect an existing mailbox at another provider to a shared inbox",
  help: [
    "Options:",
    "  --imap-host <host>       the provider's IMAP server",
    "  --imap-port <port>       default 993 (tls) or 143 (starttls)",
    "  --imap-tls <mode>        tls (default), starttls, or none (loopback only)",
    "  --imap-user <user>       login, often the address itself",
    "  --password-stdin         read the IMAP password from stdin (first line; a second line is the SMTP",
    "                           password), as docker login does: it stays out of shell history and ps",
    "                           Stored encrypted (AES-256-GCM, key MADOGUCHI_SECRET_KEY or <data>/connector-secret.key)",
    "  --imap-password <pw>     the same on the command line (discouraged: visible in history and ps)",
    "  --smtp-host <host>       the provider's submission server; replies then go out through it",
    "  --smtp-port <port>       default 465 (tls) or 587 (starttls)",
    "  --smtp-tls <mode>        tls (default), starttls, or none",
    "  --smtp-user/--smtp-password   default: the IMAP login (the password: 2nd stdin line)",
    "  --folders <a,b>          remote folders to follow (default INBOX; add Sent so replies sent elsewhere join)",
    "  --sent-folder <name>     where copies of sent mail are APPENDed (default: the \\Sent folder)",
    "  --since <YYYY-MM-DD>     initial import only takes mail from this day on",
    "  --mirror-seen            allow marking mail \\Seen at the provider (off: the remote is never changed)",
    "  --allow-invalid-cert     accept a certificate that does not verify (self-signed rental servers)",
    "Example:",
    "  printf '%s\\n' \"$PASSWORD\" | npx madoguchi connector add info@example.co.jp \\",
    "    --imap-host imap.example.ne.jp --imap-user info@example.co.jp --password-stdin \\",
    "    --smtp-host smtp.example.ne.jp --folders INBOX,Sent",
  ],
  options: {
    "imap-host": { type: "string" },
    "imap-port": { type: "string" },
    "imap-tls": { type: "string" },
    "imap-user": { type: "string" },
    "imap-password": { type: "string" },
    "password-stdin": { type: "boolean" },
    "smtp-host": { type: "string" },
    "smtp-port": { type: "string" },
    "smtp-tls": { type: "string" },
    "smtp-user": { type: "string" },
    "smtp-password": { type: "string" },
    folders: { type: "string", multiple: true },
    "sent-folder": { type: "string" },
    since: { type: "string" },
    "mirror-seen": { type: "boolean" },
    "allow-invalid-cert": { type: "boolean" },
  },
  positionals: 1,
  async run(input: CommandInput) {
    const v = input.values;
    const imapTls = tlsOption(v["imap-tls"], "imap-tls", add) ?? "tls";
    const smtpHost = typeof v["smtp-host"] === "string" ? v["smtp-host"] : null;
    const smtpTls = smtpHost ? (tlsOption(v["smtp-tls"], "smtp-tls", add) ?? "tls") : null;
    const since = typeof v.since === "string" ? new Date(`${v.since}T00:00:00+09:00`) : null;
    if (since && Number.isNaN(since.getTime())) throw new UsageError("--since must be YYYY-MM-DD", add);
    const folders = listOption(v.folders);
    const passwords = await passwordsOf(input, add);
    const key = await secretKeyOf(input.config);
    const { addConnectorAccount, testConnection } = await loadSync();
    const { account, result } = await input.withCore(async (ctx) => {
      const account = await addConnectorAccount(ctx, key, input.positionals[0] ?? "", {
        imapHost: stringOption(input, "imap-host", add),
        imapPort: portOption(v["imap-port"], "imap-port", add) ?? (imapTls === "tls" ? 993 : 143),
        imapTls,
        imapUser: stringOption(input, "imap-user", add),
        imapPassword: passwords.imap,
        smtpHost,
        smtpPort: smtpHost
          ? (portOption(v["smtp-port"], "smtp-port", add) ?? (smtpTls === "tls" ? 465 : 587))
          : null,
        smtpTls,
        smtpUser: typeof v["smtp-user"] === "string" ? v["smtp-user"] : null,
        smtpPassword: passwords.smtp,
        folders: folders.length ? folders : ["INBOX"],
        sentFolder: typeof v["sent-folder"] === "string" ? v["sent-folder"] : null,
        importSince: since,
        mirrorSeen: v["mirror-seen"] === true,
        allowInvalidCert: v["allow-invalid-cert"] === true,
      });
      return { account, result: await testConnection(account, key) };
    });
    console.log(`Connected ${input.positionals[0]} to ${account.imapUser} at ${account.imapHost}.`);
    printChecks(result);
    console.log(
      result.ok
        ? "The running server starts the import within a minute; follow it with: npx madoguchi connector list"
        : "Saved, but the test failed: fix the above (connector remove, then add again) or check with: npx madoguchi connector test",
    );
    return 0;
  },
};

const test: Command = {
  path: ["connector", "test"],
  usage: "connector test <inbox>",
  summary:
    "Connect to the provider's IMAP and SMTP servers and say what fails (DNS, TCP, TLS, login, folder)",
  positionals: 1,
  async run(input) {
    const key = await secretKeyOf(input.config);
    const { testConnection } = await loadSync();
    const result = await input.withCore(async (ctx) => {
      const inboxId = await sharedInboxIdOf(ctx.db, input.positionals[0] ?? "");
      const account = await findConnectorByInbox(ctx.db, inboxId);
      if (!account) throw new UsageError(`${input.positionals[0]} has no connected mailbox`, test);
      return testConnection(account, key);
    });
    printChecks(result);
    return result.ok ? 0 : 1;
  },
};

function ago(date: Date | null): string {
  if (!date) return "never";
  const s = Math.round((Date.now() - date.getTime()) / 1000);
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : date.toISOString();
}

const list: Command = {
  path: ["connector", "list"],
  usage: "connector list",
  summary: "Connected mailboxes: sync state, last success, errors, import progress",
  positionals: 0,
  async run({ withCore }) {
    const accounts = await withCore((ctx) => listConnectors(ctx.db));
    if (!accounts.length) {
      console.log(
        "No connected mailboxes. Add one: npx madoguchi connector add info@example.co.jp --imap-host …",
      );
      return 0;
    }
    const rows = accounts.flatMap((a) => {
      const head = [
        a.inboxAddress,
        `${a.imapUser}@${a.imapHost}:${a.imapPort}`,
        ago(a.lastSuccessAt),
        a.lastError ?? "-",
      ];
      const folders = a.folderStates.map(folderProgress);
      const progress = folders.length
        ? folders
            .map((p) => {
              const rate = p.rate ? `, ${p.rate.toFixed(1)}/s` : "";
              const eta = p.importing && p.etaSeconds !== null ? `, ETA ${p.etaSeconds}s` : "";
              return `${p.folder} ${p.done}/${p.total}${p.importing ? `${rate}${eta}` : " ✓"}`;
            })
            .join("; ")
        : "not started";
      return [[...head, progress]];
    });
    console.log(formatTable(["INBOX", "REMOTE", "LAST SUCCESS", "ERROR", "FOLDERS"], rows));
    return 0;
  },
};

const remove: Command = {
  path: ["connector", "remove"],
  usage: "connector remove <inbox>",
  summary: "Disconnect the external mailbox (imported mail stays; the remote is not touched)",
  positionals: 1,
  async run(input) {
    await input.withCore((ctx) => removeConnector(ctx, input.positionals[0] ?? ""));
    console.log(`Disconnected ${input.positionals[0]}; mail already imported stays in the inbox.`);
    return 0;
  },
};

export const connectorCommands: Command[] = [add, test, list, remove];
