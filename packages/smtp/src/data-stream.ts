import type { SMTPServerDataStream } from "smtp-server";

/**
 * The message of a DATA command, or null when it went over the SIZE limit: the stream is
 * still drained to its end (the client is sending it anyway), but nothing past the limit is kept.
 */
export function readMessage(stream: SMTPServerDataStream, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    stream.once("error", reject);
    stream.once("end", () => resolve(stream.sizeExceeded || size > maxBytes ? null : Buffer.concat(chunks)));
  });
}
