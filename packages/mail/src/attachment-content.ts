import { MESSAGE_PARSE_OPTIONS, parseRepaired } from "./mime-repair";
import { stripNulls } from "./text-clean";

export interface AttachmentContent {
  filename: string | null;
  contentType: string;
  content: Buffer;
}

/**
 * The bytes of attachment number `index` of a raw message, numbered as parseMessage lists
 * them (messages.attachments). Parsed with the same options and the same charset repair, so
 * the numbering matches. uuencoded files cut from the text (listed after the MIME parts) are
 * not served: null.
 */
export async function attachmentContent(raw: Buffer, index: number): Promise<AttachmentContent | null> {
  const mail = await parseRepaired(raw, MESSAGE_PARSE_OPTIONS);
  const part = mail.attachments[index];
  if (!part) return null;
  return {
    filename: part.filename ? stripNulls(part.filename) : null,
    contentType: part.contentType,
    content: part.content,
  };
}
