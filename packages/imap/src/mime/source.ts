import type { CoreContext, MessageMeta } from "@madoguchi/core";
import { type Chunk, type StreamChunk, str } from "../protocol/encode";
import { STREAM_THRESHOLD } from "../protocol/limits";
import type { StructureCache } from "./cache";
import type { MimeTree } from "./structure";

/**
 * Lazy access to one message's bytes and structure for FETCH: the blob is read at most once
 * per command, and only when something needs it; large ranges are streamed instead.
 */
export class MessageSource {
  private blob: Buffer | null = null;

  constructor(
    private readonly ctx: CoreContext,
    private readonly cache: StructureCache,
    readonly meta: MessageMeta,
  ) {}

  async bytes(): Promise<Buffer> {
    this.blob ??= await this.ctx.blobs.get(this.meta.blobHash);
    return this.blob;
  }

  async tree(): Promise<MimeTree> {
    return this.cache.get(this.meta.blobHash) ?? this.cache.index(this.meta.blobHash, await this.bytes());
  }

  /** A literal of bytes [start, end) of the blob; streamed from the store when large. */
  async range(start: number, end: number): Promise<Chunk[]> {
    const length = Math.max(0, end - start);
    if (length === 0) return ['""'];
    if (!this.blob && length > STREAM_THRESHOLD) {
      const hash = this.meta.blobHash;
      const stream: StreamChunk = {
        length,
        open: () => this.ctx.blobs.stream(hash, { start, end: end - 1 }),
      };
      return [`{${length}}\r\n`, stream];
    }
    const blob = await this.bytes();
    return [literalOf(blob.subarray(start, end))];
  }
}

export function literalOf(bytes: Buffer): Chunk {
  if (bytes.length === 0) return '""';
  return Buffer.concat([Buffer.from(`{${bytes.length}}\r\n`), bytes]);
}

export { str };
