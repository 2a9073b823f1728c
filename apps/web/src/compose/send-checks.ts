import { shouldWarnMissingAttachment } from "../lib/attachment-mention";
import { unfilledPlaceholders } from "../lib/placeholders";
import {
  checkRecipients,
  externalDomains,
  type ParsedRecipient,
  parseRecipients,
  type RecipientCheck,
} from "../lib/recipients";

export interface ComposeFields {
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  body: string;
}

export type SendCheck =
  | { ok: false; problem: "noRecipients" }
  | { ok: false; problem: "invalidRecipients"; invalid: string[] }
  | {
      ok: true;
      to: ParsedRecipient[];
      cc: ParsedRecipient[];
      bcc: ParsedRecipient[];
      recipients: RecipientCheck[];
      externalDomains: string[];
      missingAttachment: boolean;
      unfilled: string[];
    };

/** Everything the send confirmation shows (誤送信防止), computed from the form alone. */
export function checkBeforeSend(
  fields: ComposeFields,
  opts: { internalDomains: readonly string[]; attachmentCount: number },
): SendCheck {
  const to = parseRecipients(fields.to);
  const cc = parseRecipients(fields.cc);
  const bcc = parseRecipients(fields.bcc);
  const invalid = [...to.invalid, ...cc.invalid, ...bcc.invalid];
  if (invalid.length) return { ok: false, problem: "invalidRecipients", invalid };
  if (to.recipients.length === 0) return { ok: false, problem: "noRecipients" };
  const recipients = checkRecipients(
    { to: to.recipients, cc: cc.recipients, bcc: bcc.recipients },
    opts.internalDomains,
  );
  return {
    ok: true,
    to: to.recipients,
    cc: cc.recipients,
    bcc: bcc.recipients,
    recipients,
    externalDomains: externalDomains(recipients),
    missingAttachment: shouldWarnMissingAttachment(fields.body, opts.attachmentCount),
    unfilled: unfilledPlaceholders(fields.subject, fields.body),
  };
}
