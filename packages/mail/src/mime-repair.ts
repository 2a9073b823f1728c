import { Transform } from "node:stream";
import { type Headers as MimeHeaders, MimeNode } from "@zone-eu/mailsplit";
import {
  type AddressObject,
  type Attachment,
  type AttachmentStream,
  type HeaderLines,
  type Headers,
  MailParser,
  type MailParserOptions,
  type MessageText,
} from "mailparser";
import { decodeText } from "./charset";
import { repairHeaderLine } from "./header-repair";

/**
 * mailparser with every charset problem fixed on the way, in its one MIME pass: header lines get
 * repaired (see header-repair.ts) before mailparser decodes them, and text bodies are decoded
 * with detection (see charset.ts) instead of by their label alone. The blob store keeps the
 * original bytes; only what parsing reads is repaired.
 *
 * It hooks two of MailParser's methods that @types/mailparser leaves out: createNode (each MIME
 * part, headers as mailsplit read them) and getDecoder (the charset decoding of text bodies).
 * A separate rewrite pass (mailsplit's Rewriter and Joiner, then mailparser on the copy) did the
 * same with two MIME walks: 1.0 ms of the 1.5 ms parsing a 5 KB message took.
 *
 * Embedded message/rfc822 parts are leaves (ignoreEmbedded) and attachments are never touched,
 * so their bytes and sizes stay true.
 */
export interface RepairedMail {
  headers: Headers;
  headerLines: HeaderLines;
  subject?: string;
  from?: AddressObject;
  to?: AddressObject | AddressObject[];
  cc?: AddressObject | AddressObject[];
  replyTo?: AddressObject;
  text?: string;
  html?: string | false;
  attachments: Attachment[];
  /** True when a charset label was missing or wrong somewhere and detection chose another one. */
  repaired: boolean;
}

/** MailParser's node for a MIME part, as far as it is used here. */
interface ParserNode {
  contentType?: string;
  disposition?: string;
  isAttachment?: boolean;
  charset?: string;
}

interface Decoder {
  decodeStream(charset: string): Transform;
}

/** MailParser's methods hooked here (not in its type declarations). */
interface ParserInternals {
  createNode(node: MimeNode): ParserNode;
  getDecoder(): Decoder;
}

const internals = MailParser.prototype as unknown as ParserInternals;

const TEXT_TYPES = new Set(["text/plain", "text/html"]);

/**
 * A text body's charset is replaced by this prefix and the label it had, so mailparser always
 * hands it to the decoder (it skips the ones labelled UTF-8 or ASCII) and the decoder knows it.
 */
const DETECT = "x-madoguchi-detect:";

class RepairingParser extends MailParser {
  repaired = false;

  createNode(node: MimeNode): ParserNode {
    if (node.headers && repairHeaders(node.headers)) {
      this.repaired = true;
      rereadFilename(node, node.headers);
    }
    const created = internals.createNode.call(this, node);
    if (
      !created.isAttachment &&
      created.disposition === "inline" &&
      TEXT_TYPES.has(created.contentType ?? "")
    )
      created.charset = DETECT + (created.charset ?? "");
    return created;
  }

  getDecoder(): Decoder {
    const standard = internals.getDecoder.call(this);
    // Called from MailParser's constructor: `this` is read only when a body is decoded.
    return {
      decodeStream: (charset) =>
        charset.startsWith(DETECT)
          ? this.detectingStream(charset.slice(DETECT.length))
          : standard.decodeStream(charset),
    };
  }

  /** Collects a whole text body (detection needs all of it), then gives it out as UTF-8. */
  private detectingStream(label: string): Transform {
    const chunks: Buffer[] = [];
    return new Transform({
      transform(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
      flush: (done) => {
        const bytes = Buffer.concat(chunks);
        let decoded: ReturnType<typeof decodeText>;
        try {
          decoded = decodeText(bytes, label || null);
        } catch {
          // A repair that fails must not lose the text: it is read as UTF-8, as mailparser would.
          return done(null, bytes);
        }
        if (decoded.repaired) this.repaired = true;
        done(null, Buffer.from(decoded.text, "utf8"));
      },
    });
  }
}

/** Repairs a part's header lines in place; true when one changed. */
function repairHeaders(headers: MimeHeaders): boolean {
  let changed = false;
  for (const line of headers.getList()) {
    const fixed = repairOrKeep(line.line);
    if (fixed !== null) {
      line.line = fixed;
      changed = true;
    }
  }
  if (changed) headers.changed = true;
  return changed;
}

/**
 * mailsplit read the part's file name before the repair (a raw Shift_JIS name comes out as
 * mojibake), and mailparser names the attachment by it: read it again, by mailsplit's own rules,
 * from the repaired header block. The part itself (its number, boundary, type) stays as read.
 */
function rereadFilename(node: MimeNode, headers: MimeHeaders): void {
  const probe = new MimeNode(false, node.config);
  probe.addHeaderChunk(Buffer.concat([headers.build(), Buffer.from("\r\n\r\n")]));
  probe.parseHeaders();
  node.filename = probe.filename;
}

/** A header line repaired, or null when it needs nothing or its repair fails (it stays as sent). */
function repairOrKeep(line: string): string | null {
  try {
    return repairHeaderLine(line);
  } catch {
    return null;
  }
}

type ParserOptions = Pick<MailParserOptions, "keepDeliveryStatus" | "skipTextToHtml" | "checksumAlgo"> & {
  ignoreEmbedded?: boolean;
};

/**
 * How a stored message is parsed, for its summary (parse.ts) and for serving its attachments
 * (attachment-content.ts): the same options number the attachments the same way.
 */
export const MESSAGE_PARSE_OPTIONS: ParserOptions = {
  keepDeliveryStatus: true, // the delivery-status part comes as an attachment, not as text
  ignoreEmbedded: true, // an attached message is an attachment; the outer text stays the outer text
  skipTextToHtml: true,
  checksumAlgo: false,
};

/**
 * Parses a raw message with the charset repair. What it gives is simpleParser's result, for the
 * fields this project reads; cid: links are kept as they are (simpleParser's keepCidLinks).
 */
export function parseRepaired(raw: Buffer, options: ParserOptions = {}): Promise<RepairedMail> {
  const parser = new RepairingParser({ ...options, keepCidLinks: true } as MailParserOptions);
  const mail: Omit<RepairedMail, "repaired"> = {
    headers: new Map(),
    headerLines: [],
    attachments: [],
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    // MailParser may emit an error and still reach its end: the first of the two wins.
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve({ ...mail, ...headerFields(mail.headers), repaired: parser.repaired });
    };
    parser.on("error", settle);
    parser.on("headers", (headers: Headers) => {
      mail.headers = headers;
      mail.headerLines = (parser as unknown as { headerLines: HeaderLines }).headerLines;
    });
    let reading = false;
    const read = (): void => {
      reading = true;
      const data = parser.read() as AttachmentStream | MessageText | null;
      if (data === null) {
        reading = false;
        return;
      }
      if (data.type === "text") {
        if (data.text !== undefined) mail.text = data.text;
        if (data.html !== undefined) mail.html = data.html;
        read();
        return;
      }
      // An attachment's content is a stream the parser waits on until it is read and released.
      const chunks: Buffer[] = [];
      data.content.on("data", (chunk: Buffer) => chunks.push(chunk));
      data.content.on("end", () => {
        mail.attachments.push({ ...data, content: Buffer.concat(chunks) } as unknown as Attachment);
        data.release?.();
        read();
      });
    };
    parser.on("readable", () => {
      if (!reading) read();
    });
    parser.on("end", () => settle(null));
    parser.end(raw);
  });
}

/** The header values simpleParser copies onto the mail object. */
function headerFields(headers: Headers): Pick<RepairedMail, "subject" | "from" | "to" | "cc" | "replyTo"> {
  const get = <T>(key: string) => headers.get(key) as T | undefined;
  return {
    subject: get<string>("subject"),
    from: get<AddressObject>("from"),
    to: get<AddressObject | AddressObject[]>("to"),
    cc: get<AddressObject | AddressObject[]>("cc"),
    replyTo: get<AddressObject>("reply-to"),
  };
}
