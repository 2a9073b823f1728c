import { markdownToHtml } from "../lib/markdown";
import { listPieces, listText } from "./address-list";
import type { BodyFormat } from "./FormatSelect";
import type { ComposeFields } from "./send-checks";
import type { OkCheck } from "./useSendStep";

/** What a saved draft holds of the form (every part optional). */
interface StoredContent {
  to?: string[];
  cc?: string[];
  bcc?: string[];
  subject?: string | null;
  bodyText?: string | null;
}

/** A saved draft back into the form's text fields. */
export const fieldsFromDraft = (c: StoredContent | undefined): ComposeFields => ({
  to: listText(c?.to),
  cc: listText(c?.cc),
  bcc: listText(c?.bcc),
  subject: c?.subject ?? "",
  body: c?.bodyText ?? "",
});

/** The form as a draft stores it: address lists in pieces, the body with its format. */
export const draftContent = (fields: ComposeFields, format: BodyFormat) => ({
  subject: fields.subject,
  to: listPieces(fields.to),
  cc: listPieces(fields.cc),
  bcc: listPieces(fields.bcc),
  bodyText: fields.body,
  format,
});

/** The form as a send carries it: the checked recipients, subject, body (Markdown also as HTML). */
export const sentContent = (check: OkCheck, fields: ComposeFields, format: BodyFormat) => ({
  to: check.to,
  cc: check.cc,
  bcc: check.bcc,
  subject: fields.subject,
  bodyText: fields.body,
  ...(format === "markdown" ? { bodyHtml: markdownToHtml(fields.body) } : {}),
});
