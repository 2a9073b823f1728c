import {
  addConnector,
  type ConnectorAccount,
  type ConnectorPasswordInput,
  type CoreContext,
  sealConnectorPasswords,
} from "@madoguchi/core";
import { sealSecret } from "./secret-box";

export type ConnectorAccountInput = ConnectorPasswordInput;

/** Seals the passwords and stores the account; the clear passwords go no further than here. */
export function addConnectorAccount(
  ctx: CoreContext,
  secretKey: Buffer,
  inboxAddress: string,
  input: ConnectorAccountInput,
): Promise<ConnectorAccount> {
  return addConnector(
    ctx,
    inboxAddress,
    sealConnectorPasswords(input, (secret) => sealSecret(secretKey, secret)),
  );
}
