import type { SmarthostSettings } from "../config";
import { type Router, type SendOnce, tryTargets } from "./route";

/** Relays every message through one host (OP25B networks), authenticated and over TLS. */
export function smarthostRouter(settings: SmarthostSettings, send: SendOnce): Router {
  const target = {
    address: settings.host,
    port: settings.port,
    hostName: settings.host,
    secure: settings.port === 465,
    // A password is never sent in clear: STARTTLS is required when there is one.
    requireTls: settings.port !== 465 && !!settings.user,
    verifyTls: !settings.tlsInsecure,
    auth: settings.user ? { user: settings.user, pass: settings.password ?? "" } : undefined,
  };
  return {
    description: `smarthost ${settings.host}:${settings.port}`,
    attempt: (_domain, envelope, raw, signal) =>
      tryTargets([target], send, envelope, raw, signal, `the smarthost ${settings.host}`),
  };
}
