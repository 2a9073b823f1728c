import type { CoreContext } from "@madoguchi/core";
import { createSelfSigned, type TlsMaterial } from "@madoguchi/tls";
import type { SmtpServerConfig, SmtpSettings } from "../../src/config";
import { type RunningListener, startListeners } from "../../src/listeners";

export const HOSTNAME = "mx.example.co.jp";

let cachedTls: Promise<TlsMaterial> | undefined;

/** One self-signed certificate per test file is enough. */
export function testTls(): Promise<TlsMaterial> {
  cachedTls ??= createSelfSigned(HOSTNAME).then(({ key, cert }) => ({
    key,
    cert,
    fingerprint256: "",
    selfSigned: true,
  }));
  return cachedTls;
}

export interface RunningSmtp {
  mxPort: number;
  submissionPort: number;
  submissionsPort: number;
  listeners: RunningListener[];
  close(): Promise<void>;
}

const portOf = (listeners: RunningListener[], name: string) => {
  const found = listeners.find((l) => l.name === name);
  if (!found) throw new Error(`no listener ${name}`);
  return Number(found.address.slice(found.address.lastIndexOf(":") + 1));
};

/** The SMTP listeners on 127.0.0.1, ports chosen by the OS, no greeting delay unless asked. */
export async function startTestSmtp(
  ctx: CoreContext,
  dataDir: string,
  settings: SmtpSettings = {},
): Promise<RunningSmtp> {
  const config: SmtpServerConfig = {
    dataDir,
    hostname: HOSTNAME,
    bind: "127.0.0.1",
    ports: { smtp: 0, submission: 0, submissions: 0 },
    smtp: {
      // Never the system resolver in tests: an unreachable loopback port unless a test DNS is given.
      dnsServers: ["127.0.0.1:9"],
      outboundWorkers: false,
      ...settings,
      limits: { greetingDelayMs: 0, ...settings.limits },
    },
  };
  const listeners = await startListeners({
    ctx,
    config,
    tls: await testTls(),
    onError: (err) => console.error("smtp test server:", err),
  });
  return {
    mxPort: portOf(listeners, "MX"),
    submissionPort: portOf(listeners, "submission, STARTTLS"),
    submissionsPort: portOf(listeners, "submission, TLS"),
    listeners,
    close: async () => {
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
}
