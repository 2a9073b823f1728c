import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Joiner, type MimeNode, Rewriter, Splitter } from "@zone-eu/mailsplit";
import { decodeText } from "./charset";
import { repairHeaderLine } from "./header-repair";

/**
 * A copy of the raw message with every charset problem fixed, made only for parsing (the blob
 * store keeps the original bytes). Text bodies are decoded with detection (see charset.ts) and
 * re-labelled UTF-8; header lines get repaired (see header-repair.ts). mailparser's own
 * splitter (mailsplit) does the MIME walking, so this file knows nothing about boundaries.
 *
 * Embedded message/rfc822 parts are leaf nodes here and left byte for byte, so their size as
 * attachments stays true. Attachments are never touched either.
 */
export interface RepairedMime {
  raw: Buffer;
  /** True when a charset label was missing or wrong somewhere and detection chose another one. */
  repaired: boolean;
}

const TEXT_TYPES = new Set(["text/plain", "text/html"]);

/** mailparser's own rule for a text body: text/plain or text/html not disposed as an attachment. */
const isTextBody = (node: MimeNode): boolean =>
  TEXT_TYPES.has(String(node.contentType || (node.root ? "text/plain" : ""))) &&
  (!node.disposition || node.disposition === "inline");

function repairHeaders(node: MimeNode): boolean {
  const headers = node.headers;
  if (!headers) return false;
  let changed = false;
  for (const line of headers.getList()) {
    const repaired = repairHeaderLine(line.line);
    if (repaired !== null) {
      line.line = repaired;
      changed = true;
    }
  }
  if (changed) headers.changed = true;
  return changed;
}

export async function repairMime(raw: Buffer): Promise<RepairedMime> {
  let repaired = false;
  const rewriter = new Rewriter((node: MimeNode) => {
    // the filter sees every node: the place to fix header lines of each part
    if (repairHeaders(node)) repaired = true;
    return isTextBody(node);
  });
  rewriter.on("node", ({ node, decoder, encoder }) => {
    const chunks: Buffer[] = [];
    decoder.on("data", (chunk: Buffer) => chunks.push(chunk));
    decoder.on("end", () => {
      const decoded = decodeText(Buffer.concat(chunks), node.charset || null);
      if (decoded.repaired) repaired = true;
      node.setCharset("utf-8");
      encoder.end(Buffer.from(decoded.text, "utf8"));
    });
  });
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(chunk);
      done();
    },
  });
  await pipeline(Readable.from([raw]), new Splitter({ ignoreEmbedded: true }), rewriter, new Joiner(), sink);
  return { raw: Buffer.concat(out), repaired };
}
