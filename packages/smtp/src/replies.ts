/**
 * A refusal as smtp-server expects it from a handler: an Error with responseCode. The text
 * starts with the enhanced status code, which ExplicitCodeServer then sends as given instead
 * of smtp-server's guess from the basic code (it would say 5.1.1 for every 550).
 */
export function smtpReply(code: number, enhanced: string, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(`${enhanced} ${text}`), { responseCode: code });
}

/** Transient local failure: the sender keeps the message and retries. */
export const tempFailure = () => smtpReply(451, "4.3.0", "Temporary local problem, please try again later");
