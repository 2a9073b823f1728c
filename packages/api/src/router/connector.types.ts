import { z } from "zod";

const id = z.number().int().positive();
const host = z.string().trim().min(1).max(253);
const port = z.number().int().min(1).max(65535);
const tls = z.enum(["tls", "starttls", "none"]);
const login = z.string().min(1).max(320);
/** Write-only: accepted here, sealed by core, never part of any answer. */
const password = z.string().min(1).max(1000);
const folder = z.string().trim().min(1).max(500);
/** YYYY-MM-DD, a day in Japan: the initial import takes mail from that day on. */
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD")
  .transform((d) => new Date(`${d}T00:00:00+09:00`));

const settings = {
  imapHost: host,
  imapPort: port,
  imapTls: tls,
  imapUser: login,
  smtpHost: host.nullable(),
  smtpPort: port.nullable(),
  smtpTls: tls.nullable(),
  smtpUser: login.nullable(),
  smtpPassword: password.nullable(),
  folders: z.array(folder).min(1).max(50),
  sentFolder: folder.nullable(),
  importSince: day.nullable(),
  mirrorSeen: z.boolean(),
  allowInvalidCert: z.boolean(),
};

export const accountInput = z.object({ accountId: id });

export const addInput = z.object({
  inboxAddress: z.string().trim().min(3).max(254),
  ...settings,
  imapPassword: password,
  smtpHost: settings.smtpHost.optional(),
  smtpPort: settings.smtpPort.optional(),
  smtpTls: settings.smtpTls.optional(),
  smtpUser: settings.smtpUser.optional(),
  smtpPassword: settings.smtpPassword.optional(),
  folders: settings.folders.default(["INBOX"]),
  sentFolder: settings.sentFolder.optional(),
  importSince: settings.importSince.optional(),
  mirrorSeen: settings.mirrorSeen.default(false),
  allowInvalidCert: settings.allowInvalidCert.default(false),
});

/** Only what changes; a password only when it changes. */
export const updateInput = z
  .object({ ...settings, imapPassword: password })
  .partial()
  .extend({ accountId: id });

export const mirrorSeenInput = z.object({ accountId: id, mirrorSeen: z.boolean() });
export const enabledInput = z.object({ accountId: id, enabled: z.boolean() });
