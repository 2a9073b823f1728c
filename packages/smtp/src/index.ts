export type { AuthVerdict } from "./auth-results";
export type { DmarcRejectAction, SmarthostSettings, SmtpServerConfig, SmtpSettings } from "./config";
export { signOutbound } from "./dkim";
export {
  type CheckStatus,
  type DnsCheckItem,
  type DnsCheckResult,
  type DnsProblem,
  type DnsRecord,
  type DnsShowResult,
  dnsCheck,
  dnsShow,
} from "./dns-records";
export { Dnsbl, type DnsblSettings, type ZoneReport } from "./dnsbl";
export * from "./limits";
export { type RunningListener, type SmtpDeps, startListeners, startQueueWorker } from "./listeners";
export { QueueWorker } from "./outbound/queue-worker";
export { createResolver, type DnsResolver } from "./resolver";
