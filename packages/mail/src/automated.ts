import { simpleParser } from "mailparser";
import { headerValue } from "./parse";

/** Why an automatic response must not answer a message: a machine wrote it, or a list sent it. */
export type Automation = "automated" | "list";

/** Precedence values of bulk and automatic mail (RFC 3834 §2; "list" is a list's own). */
const BULK_PRECEDENCE = new Set(["bulk", "junk", "auto_reply"]);
/** X-Auto-Response-Suppress values (Exchange) that ask for no out-of-office or auto reply. */
const SUPPRESSED = /\b(all|autoreply|oof)\b/i;
/** Headers other autoresponders mark their own mail with. */
const AUTORESPONDER_HEADERS = ["x-autoreply", "x-autorespond", "x-autoresponder"];
const LIST_HEADERS = ["list-id", "list-unsubscribe", "list-post", "list-help"];

/**
 * What RFC 3834 §2 says an automatic responder must not answer, read from the top-level headers
 * only: Auto-Submitted other than "no", Precedence bulk / junk / list, Exchange's
 * X-Auto-Response-Suppress, another autoresponder's mark, or a mailing list's List-* headers.
 * null: a person's mail, as far as the headers tell.
 */
export async function automationOf(raw: Buffer): Promise<Automation | null> {
  const end = raw.indexOf("\r\n\r\n");
  const head = end < 0 ? raw : raw.subarray(0, end + 4);
  const { headerLines } = await simpleParser(head, { skipHtmlToText: true, skipTextToHtml: true });
  const value = (key: string) => headerValue(headerLines, key)?.toLowerCase() ?? null;
  if (LIST_HEADERS.some((key) => value(key) !== null) || value("precedence") === "list") return "list";
  const submitted = value("auto-submitted");
  if (submitted !== null && submitted.split(";")[0]?.trim() !== "no") return "automated";
  if (BULK_PRECEDENCE.has(value("precedence") ?? "")) return "automated";
  if (SUPPRESSED.test(value("x-auto-response-suppress") ?? "")) return "automated";
  if (AUTORESPONDER_HEADERS.some((key) => value(key) !== null)) return "automated";
  return null;
}
