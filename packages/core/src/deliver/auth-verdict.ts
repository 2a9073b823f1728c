/** What the SPF/DKIM/DMARC results stored at SMTP time say of a message's sender, in short. */
export type AuthVerdict = "verified" | "failed" | "unknown";

const result = (v: unknown) => (typeof v === "string" && v ? v : "none");

/**
 * verified: DMARC passed; failed: DMARC failed, or SPF failed with no DKIM signature passing
 * for it; unknown: anything else (no policy, a lookup error). The web app's badge shows it, and
 * a 自動返信 is not sent to a sender it says is forged.
 */
export function authVerdict(authResults: Record<string, unknown>): AuthVerdict {
  const spf = result(authResults.spf);
  const dkim = result(authResults.dkim);
  const dmarc = result(authResults.dmarc);
  if (dmarc === "pass") return "verified";
  if (dmarc === "fail" || (spf === "fail" && (dkim === "fail" || dkim === "none"))) return "failed";
  return "unknown";
}
