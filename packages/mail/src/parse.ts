/** Parsed view of a message: what the UI, search, threading and IMAP summaries need. */
export interface MailAddress {
  name: string;
  address: string;
}

export interface AttachmentInfo {
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
}

export interface ParsedMessage {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  date: Date | null;
  text: string;
  html: string | null;
  /** First ~200 characters of visible text, whitespace collapsed. */
  snippet: string;
  attachments: AttachmentInfo[];
}

export declare function parseMessage(raw: Buffer): Promise<ParsedMessage>;
