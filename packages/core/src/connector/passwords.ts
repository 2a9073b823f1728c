import type { ConnectorInput } from "./accounts";

/** Account settings as an admin types them: clear passwords instead of sealed ones. */
export type ConnectorPasswordInput = Omit<ConnectorInput, "imapPasswordSealed" | "smtpPasswordSealed"> & {
  imapPassword: string;
  /** Defaults to the IMAP password when an SMTP host is given (most providers use one login). */
  smtpPassword?: string | null;
};

/** Seals a secret for storage; packages/sync implements it (AES-256-GCM with the server's key). */
export type SealSecret = (secret: string) => string;

/**
 * The one place clear passwords become sealed ones, for the CLI and the admin API alike. They
 * go from the caller straight into `seal` and no further: never stored, logged or returned.
 */
export function sealConnectorPasswords(input: ConnectorPasswordInput, seal: SealSecret): ConnectorInput {
  const { imapPassword, smtpPassword, ...rest } = input;
  const smtp = rest.smtpHost ? (smtpPassword ?? imapPassword) : null;
  return {
    ...rest,
    imapPasswordSealed: seal(imapPassword),
    smtpPasswordSealed: smtp === null ? null : seal(smtp),
  };
}
