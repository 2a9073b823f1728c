import type { ConnectorToolkit } from "@madoguchi/core";
import { testConnection } from "./connection-test";
import { sealSecret } from "./secret-box";

/** Sealing and the connection test with the server's key, for core's connector administration. */
export function connectorToolkit(
  secretKey: Buffer,
  options: { testTimeoutMs?: number } = {},
): ConnectorToolkit {
  return {
    seal: (secret) => sealSecret(secretKey, secret),
    test: (account) => testConnection(account, secretKey, { timeoutMs: options.testTimeoutMs }),
  };
}
