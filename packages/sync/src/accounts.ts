import { addConnector, type ConnectorAccount, type ConnectorInput, type CoreContext } from "@madoguchi/core";
import { sealSecret } from "./secret-box";

export type ConnectorAccountInput = Omit<ConnectorInput, "imapPasswordSealed" | "smtpPasswordSealed"> & {
  imapPassword: string;
  /** Defaults to the IMAP password when an SMTP host is given (most providers use one login). */
  smtpPassword?: string | null;
};

/** Seals the passwords and stores the account; the clear passwords go no further than here. */
export function addConnectorAccount(
  ctx: CoreContext,
  secretKey: Buffer,
  inboxAddress: string,
  input: ConnectorAccountInput,
): Promise<ConnectorAccount> {
  const { imapPassword, smtpPassword, ...rest } = input;
  const smtp = rest.smtpHost ? (smtpPassword ?? imapPassword) : null;
  return addConnector(ctx, inboxAddress, {
    ...rest,
    imapPasswordSealed: sealSecret(secretKey, imapPassword),
    smtpPasswordSealed: smtp === null ? null : sealSecret(secretKey, smtp),
  });
}
