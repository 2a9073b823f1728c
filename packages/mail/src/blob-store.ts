import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";

/** Immutable raw messages, addressed by the sha256 of their bytes. */
export interface BlobStore {
  /** Stores the bytes durably (fsynced) and returns their address; storing twice is a no-op. */
  put(data: Buffer): Promise<{ hash: string; size: number }>;
  get(hash: string): Promise<Buffer>;
  stream(hash: string, range?: { start: number; end: number }): Readable;
  has(hash: string): Promise<boolean>;
}

export const sha256Hex = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

const HASH_RE = /^[0-9a-f]{64}$/;

/** Blob store on the local filesystem: <dir>/ab/cd/<hash>. */
export class FsBlobStore implements BlobStore {
  constructor(readonly dir: string) {}

  pathOf(hash: string): string {
    if (!HASH_RE.test(hash)) throw new Error(`Not a blob hash: ${hash}`);
    return path.join(this.dir, hash.slice(0, 2), hash.slice(2, 4), hash);
  }

  async put(data: Buffer): Promise<{ hash: string; size: number }> {
    const hash = sha256Hex(data);
    const finalPath = this.pathOf(hash);
    if (await this.has(hash)) return { hash, size: data.length };
    const dir = path.dirname(finalPath);
    // Write a temp file, fsync it, rename over the final name, fsync the directory: after
    // put() resolves the blob survives a crash or power loss, and readers never see half a file.
    const tmpPath = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
    const file = await openCreatingDir(tmpPath);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await fsp.rename(tmpPath, finalPath);
    await fsyncDir(dir);
    return { hash, size: data.length };
  }

  async get(hash: string): Promise<Buffer> {
    return fsp.readFile(this.pathOf(hash));
  }

  stream(hash: string, range?: { start: number; end: number }): Readable {
    return fs.createReadStream(this.pathOf(hash), range);
  }

  async has(hash: string): Promise<boolean> {
    try {
      await fsp.access(this.pathOf(hash));
      return true;
    } catch {
      return false;
    }
  }
}

/** Opens a new file, making its directory only when it is missing (once per directory, not per blob). */
async function openCreatingDir(file: string): Promise<fsp.FileHandle> {
  try {
    return await fsp.open(file, "w", 0o640);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    await fsp.mkdir(path.dirname(file), { recursive: true });
    return fsp.open(file, "w", 0o640);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
