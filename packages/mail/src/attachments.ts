import type { Attachment } from "mailparser";
import { parseRepaired } from "./mime-repair";
import type { AttachmentInfo } from "./parse";
import { stripNulls } from "./text-clean";

const HEADER_END = /\r?\n\r?\n/;

/** Subject of an attached message, read from its header block only (the body can be large). */
async function embeddedSubject(content: Buffer): Promise<string> {
  const headerEnd = HEADER_END.exec(content.subarray(0, 256 * 1024).toString("latin1"));
  const head = content.subarray(0, headerEnd ? headerEnd.index : content.length);
  const mail = await parseRepaired(Buffer.concat([head, Buffer.from("\r\n\r\n")]), { checksumAlgo: false });
  return stripNulls(mail.subject ?? "").trim();
}

/** "/" and control characters are no good in a file name a user may save. */
const asFilename = (subject: string): string =>
  `${subject.replace(/[\\/:*?"<>|\p{Cc}]/gu, "_") || "message"}.eml`;

/**
 * Metadata of one attachment; the content is dropped here so a ParsedMessage stays small.
 * contentId is stored without angle brackets, like Message-IDs (it is what cid: URLs name).
 */
export async function toAttachmentInfo(a: Attachment): Promise<AttachmentInfo> {
  let filename = a.filename ? stripNulls(a.filename) : null;
  if (!filename && a.contentType === "message/rfc822")
    filename = asFilename(await embeddedSubject(a.content));
  return {
    filename,
    contentType: a.contentType,
    size: a.size,
    contentId: a.cid || null,
    inline:
      a.contentDisposition === "inline" || (a.related === true && a.contentDisposition !== "attachment"),
  };
}
