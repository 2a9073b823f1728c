import type { DeliveryOutcome, RecipientResult } from "@madoguchi/core";
import type { HostResult, RecipientAnswer, Target } from "./transport";

/** Gets one message to the recipients at one domain, one attempt. */
export interface Router {
  /** How it is shown at start: "MX on port 25", "smarthost relay.example:587". */
  readonly description: string;
  attempt(
    domain: string,
    envelope: { from: string; to: string[] },
    raw: Buffer,
    signal: AbortSignal,
  ): Promise<DeliveryOutcome>;
}

export type SendOnce = (
  target: Target,
  envelope: { from: string; to: string[] },
  raw: Buffer,
  signal: AbortSignal,
) => Promise<HostResult>;

const emptyOutcome = (): DeliveryOutcome => ({ delivered: {}, failed: {}, deferred: {} });

/** Sorts the server's answers: 2xx delivered, 5xx failed, anything else deferred. */
export function classify(
  answers: Map<string, RecipientAnswer>,
  recipients: string[],
  remoteMta: string,
  at: Date,
) {
  const outcome = emptyOutcome();
  for (const rcpt of recipients) {
    const answer = answers.get(rcpt) ?? {
      code: null,
      status: null,
      response: "No answer for this recipient",
    };
    const result: RecipientResult = { ...answer, remoteMta, at: at.toISOString() };
    const code = answer.code ?? 0;
    if (code >= 200 && code < 300) outcome.delivered[rcpt] = result;
    else if (code >= 500) outcome.failed[rcpt] = result;
    else outcome.deferred[rcpt] = result;
  }
  return outcome;
}

/** The same verdict for every recipient, when no server gave one (DNS, no host reachable). */
export function uniform(
  recipients: string[],
  kind: "failed" | "deferred",
  status: string,
  response: string,
  at: Date,
): DeliveryOutcome {
  const outcome = emptyOutcome();
  for (const rcpt of recipients)
    outcome[kind][rcpt] = { code: null, status, response, remoteMta: null, at: at.toISOString() };
  return outcome;
}

/** Tries targets in order until one gives an SMTP verdict. */
export async function tryTargets(
  targets: Target[],
  send: SendOnce,
  envelope: { from: string; to: string[] },
  raw: Buffer,
  signal: AbortSignal,
  what: string,
): Promise<DeliveryOutcome> {
  let lastError = "no server to try";
  for (const target of targets) {
    if (signal.aborted) break;
    const result = await send(target, envelope, raw, signal);
    if (result.kind === "answered") return classify(result.answers, envelope.to, target.hostName, new Date());
    lastError = `${target.hostName} [${target.address}]: ${result.error}`;
  }
  return uniform(envelope.to, "deferred", "4.4.1", `No answer from ${what} (${lastError})`, new Date());
}
