import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { inboxes } from "./directory";
import { messages } from "./messages";

/** "tls": implicit TLS (993/465); "starttls": upgrade after connect (143/587); "none": loopback tests only. */
export type ConnectorTlsMode = "tls" | "starttls" | "none";

/** Which job of a connector failed: null is the sync itself; the others run when mail is sent. */
export type ConnectorErrorContext = "sending" | "sentCopy";

/** The facts of a coded connector error; strings and numbers only, for the web page's i18n templates. */
export type ConnectorErrorParams = Record<string, string | number>;

/**
 * An external mailbox (the team's existing info@ at another provider) connected to a shared
 * inbox: one per inbox. Passwords are sealed (AES-256-GCM) by packages/sync before they get
 * here; this table never sees them in clear. The lease (leaseOwner, leaseUntil) is how server
 * processes agree on who syncs the account: a lease row works the same on PGlite and on a
 * pooled PostgreSQL, where a session advisory lock would be tied to one pooled connection.
 */
export const connectorAccounts = pgTable(
  "connector_accounts",
  {
    id: serial().primaryKey(),
    inboxId: integer()
      .notNull()
      .references(() => inboxes.id, { onDelete: "cascade" }),
    imapHost: text().notNull(),
    imapPort: integer().notNull(),
    imapTls: text().$type<ConnectorTlsMode>().notNull(),
    imapUser: text().notNull(),
    imapPasswordSealed: text().notNull(),
    smtpHost: text(),
    smtpPort: integer(),
    smtpTls: text().$type<ConnectorTlsMode>(),
    smtpUser: text(),
    smtpPasswordSealed: text(),
    /** Remote folders followed; the first INBOX-like one is watched with IDLE. */
    folders: jsonb().$type<string[]>().notNull().default(["INBOX"]),
    /** Remote folder that receives a copy of what we send (APPEND); null = none. */
    sentFolder: text(),
    /** Initial import only takes mail on or after this day; later mail is always taken, by UID. */
    importSince: timestamp({ withTimezone: true }),
    /** The only switch that allows writing to the remote mailbox (\Seen). Off by default. */
    mirrorSeen: boolean().notNull().default(false),
    /** Accept a certificate that does not verify (self-signed rental servers); off by default. */
    allowInvalidCert: boolean().notNull().default(false),
    enabled: boolean().notNull().default(true),
    leaseOwner: text(),
    leaseUntil: timestamp({ withTimezone: true }),
    /** English, for the CLI and logs: the job's name ("Sending: ") and then what happened. */
    lastError: text(),
    /**
     * The same error as packages/sync's ConnectorErrorCode and its facts, so the web page can word
     * it in the admin's language; null for an error without a code and for rows stored before 0011.
     */
    lastErrorCode: text(),
    lastErrorParams: jsonb().$type<ConnectorErrorParams>(),
    /**
     * A column, not a param: which job failed is independent of what failed (any code can occur
     * while sending), and it exists for errors without a code too; params stay exactly the facts
     * of the code's template.
     */
    lastErrorContext: text().$type<ConnectorErrorContext>(),
    lastErrorAt: timestamp({ withTimezone: true }),
    lastSuccessAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("connector_accounts_inbox_idx").on(t.inboxId)],
);

/**
 * Checkpoint of one followed remote folder: everything up to lastUid under uidValidity is
 * stored locally. Advanced only after the messages it covers are committed, so a crash
 * repeats at most one batch, which delivery's dedup absorbs. Import progress rides along.
 */
export const connectorFolders = pgTable(
  "connector_folders",
  {
    id: serial().primaryKey(),
    accountId: integer()
      .notNull()
      .references(() => connectorAccounts.id, { onDelete: "cascade" }),
    remoteName: text().notNull(),
    uidValidity: bigint({ mode: "number" }),
    lastUid: bigint({ mode: "number" }).notNull().default(0),
    /** CONDSTORE HIGHESTMODSEQ as text: it is a 63-bit number. */
    highestModseq: text(),
    /** Set once the first full pass of this folder (under this UIDVALIDITY) finished. */
    importFinishedAt: timestamp({ withTimezone: true }),
    importTotal: integer().notNull().default(0),
    importDone: integer().notNull().default(0),
    /** Start of the current run and importDone at that moment: the rate excludes downtime. */
    runStartedAt: timestamp({ withTimezone: true }),
    runStartDone: integer().notNull().default(0),
    progressAt: timestamp({ withTimezone: true }),
    lastSyncAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("connector_folders_account_name_idx").on(t.accountId, t.remoteName),
    index("connector_folders_account_idx").on(t.accountId),
  ],
);

/**
 * Where an imported message lives at the provider (folder, UIDVALIDITY, UID): the address
 * \Seen mirroring writes to. One message can have several copies (the same mail in two
 * folders is stored once). `remoteSeen` is the durable "nothing left to do" marker: false
 * means the remote copy may still lack \Seen; it turns true when the provider had it at import
 * or confirmed our STORE. Rows of an old UIDVALIDITY are dropped when the folder is resynced.
 */
export const connectorRemoteCopies = pgTable(
  "connector_remote_copies",
  {
    accountId: integer()
      .notNull()
      .references(() => connectorAccounts.id, { onDelete: "cascade" }),
    remoteName: text().notNull(),
    uidValidity: bigint({ mode: "number" }).notNull(),
    uid: bigint({ mode: "number" }).notNull(),
    messageId: bigint({ mode: "number" })
      .notNull()
      .references(() => messages.id, { onDelete: "cascade" }),
    remoteSeen: boolean().notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.remoteName, t.uidValidity, t.uid] }),
    index("connector_remote_copies_message_idx").on(t.messageId),
    // The mirror only ever looks at copies still lacking \Seen.
    index("connector_remote_copies_unseen_idx").on(t.accountId).where(sql`not ${t.remoteSeen}`),
  ],
);
