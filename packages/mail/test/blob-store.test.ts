import fsSync from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { text } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FsBlobStore, sha256Hex } from "../src/blob-store";

let dir: string;
let store: FsBlobStore;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "madoguchi-blobs-"));
  store = new FsBlobStore(dir);
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Every file under the store, relative paths. */
const filesIn = async (root: string): Promise<string[]> =>
  (await fs.readdir(root, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)));

/** Records the path of every file or directory fsynced until the spy is restored. */
function watchFsyncs() {
  const synced: string[] = [];
  const fsync = fsSync.fsync;
  const spy = vi.spyOn(fsSync, "fsync").mockImplementation(((fd, callback) => {
    synced.push(fsSync.readlinkSync(`/proc/self/fd/${fd}`));
    fsync(fd, callback);
  }) as typeof fsSync.fsync);
  return { synced, spy };
}

describe("FsBlobStore", () => {
  it("stores bytes under their sha256 and reads them back", async () => {
    const data = Buffer.from("Subject: テスト\r\n\r\n本文\r\n");
    const { hash, size } = await store.put(data);
    expect(hash).toBe(sha256Hex(data));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(size).toBe(data.length);
    expect(await store.has(hash)).toBe(true);
    expect(await store.get(hash)).toEqual(data);
    expect(store.pathOf(hash)).toBe(path.join(dir, hash.slice(0, 2), hash));
  });

  it("answers has() false and rejects get() for an unknown hash", async () => {
    const missing = sha256Hex(Buffer.from("never stored"));
    expect(await store.has(missing)).toBe(false);
    await expect(store.get(missing)).rejects.toThrow();
  });

  it("streams the whole blob or an inclusive byte range", async () => {
    const { hash } = await store.put(Buffer.from("0123456789"));
    expect(await text(store.stream(hash))).toBe("0123456789");
    expect(await text(store.stream(hash, { start: 2, end: 5 }))).toBe("2345");
  });

  it("is idempotent: a second put of the same bytes keeps one file", async () => {
    const data = Buffer.from("same bytes");
    const first = await store.put(data);
    const second = await store.put(data);
    expect(second).toEqual(first);
    expect(await filesIn(dir)).toEqual([path.relative(dir, store.pathOf(first.hash))]);
  });

  it("answers a put of bytes already stored only once the directories on their path are synced", async () => {
    // The first put may still be under way (renamed into place, directories not yet synced):
    // the second must not report the blob stored before a crash could no longer lose it.
    const data = Buffer.from("Subject: delivered twice\r\n\r\n");
    const { hash } = await store.put(data);
    const { synced, spy } = watchFsyncs();
    try {
      expect(await store.put(data)).toEqual({ hash, size: data.length });
    } finally {
      spy.mockRestore();
    }
    const expected = await Promise.all([path.dirname(store.pathOf(hash)), dir].map((d) => fs.realpath(d)));
    expect(synced.sort()).toEqual(expected.sort());
  });

  it("write() gives the address at once and settles synced once both fsyncs are done", async () => {
    const data = Buffer.from("Subject: written while the transaction runs\r\n\r\n");
    const { synced, spy } = watchFsyncs();
    try {
      const written = store.write(data);
      expect(written.hash).toBe(sha256Hex(data));
      expect(written.size).toBe(data.length);
      expect(synced).toEqual([]);
      await written.synced;
      // The file's bytes (as its temp name) and its directory's entry (the blob's name); the
      // directory is new here, so its own entry in the store's directory too.
      const blobDir = path.dirname(await fs.realpath(store.pathOf(written.hash)));
      expect(
        synced.filter((p) => path.dirname(p) === blobDir && path.basename(p).startsWith(".tmp-")),
      ).toHaveLength(1);
      expect(synced).toContain(blobDir);
      expect(synced).toContain(await fs.realpath(dir));
      expect(await store.get(written.hash)).toEqual(data);
    } finally {
      spy.mockRestore();
    }
  });

  it("write() rejects synced, and the blob is not there, when its bytes cannot be synced", async () => {
    const data = Buffer.from("Subject: no room\r\n\r\n");
    const spy = vi.spyOn(fsSync, "fsync").mockImplementation(((_fd, callback) => {
      callback(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" }));
    }) as typeof fsSync.fsync);
    try {
      await expect(store.write(data).synced).rejects.toThrow(/EIO/);
    } finally {
      spy.mockRestore();
    }
    expect(await store.has(sha256Hex(data))).toBe(false);
  });

  it("survives concurrent puts of the same content and leaves no temp files", async () => {
    const data = Buffer.alloc(256 * 1024, 7);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.put(data)));
    expect(new Set(results.map((r) => r.hash)).size).toBe(1);
    const [result] = results;
    expect(await store.get(result?.hash ?? "")).toEqual(data);
    const files = await filesIn(dir);
    expect(files).toHaveLength(1);
    expect(files.some((f) => path.basename(f).startsWith(".tmp-"))).toBe(false);
  });

  it("stores blobs that share a new directory, put at the same time, and leaves no temp files", async () => {
    // Two contents whose hashes share the first two hex digits: the same <ab> directory.
    const byDir = new Map<string, Buffer>();
    let pair: [Buffer, Buffer] | null = null;
    for (let n = 0; !pair; n++) {
      const data = Buffer.from(`message ${n}`);
      const dirOf = sha256Hex(data).slice(0, 2);
      const other = byDir.get(dirOf);
      if (other) pair = [other, data];
      else byDir.set(dirOf, data);
    }
    const stored = await Promise.all(pair.map((data) => store.put(data)));
    for (const [i, { hash }] of stored.entries()) expect(await store.get(hash)).toEqual(pair[i]);
    const files = await filesIn(dir);
    expect(files.sort()).toEqual(stored.map((s) => path.relative(dir, store.pathOf(s.hash))).sort());
    expect(new Set(files.map((f) => path.dirname(f))).size).toBe(1);
  });

  it("keeps different contents apart", async () => {
    const a = await store.put(Buffer.from("a"));
    const b = await store.put(Buffer.from("b"));
    expect(a.hash).not.toBe(b.hash);
    expect((await store.get(a.hash)).toString()).toBe("a");
    expect((await store.get(b.hash)).toString()).toBe("b");
    expect(await filesIn(dir)).toHaveLength(2);
  });

  it("refuses anything that is not a lowercase sha256 hex string, so no path escapes the store", async () => {
    for (const bad of ["", "../../etc/passwd", "A".repeat(64), "0".repeat(63), `${"0".repeat(64)}/x`]) {
      expect(() => store.pathOf(bad)).toThrow(/Not a blob hash/);
      await expect(store.get(bad)).rejects.toThrow(/Not a blob hash/);
      expect(() => store.stream(bad)).toThrow(/Not a blob hash/);
      expect(await store.has(bad)).toBe(false);
    }
  });
});

describe("FsBlobStore.open", () => {
  /** Writes blobs where layout 1 kept them: <ab>/<cd>/<hash>. */
  const putLayout1 = (root: string, contents: string[]) =>
    contents.map((content) => {
      const hash = sha256Hex(Buffer.from(content));
      const oldDir = path.join(root, hash.slice(0, 2), hash.slice(2, 4));
      fsSync.mkdirSync(oldDir, { recursive: true });
      fsSync.writeFileSync(path.join(oldDir, hash), content);
      return { hash, content, oldDir };
    });

  it("makes a missing store and marks its layout", async () => {
    const root = path.join(dir, "new", "blobs");
    const { store: opened, moved } = await FsBlobStore.open(root);
    expect(moved).toBe(0);
    expect(await fs.readdir(root)).toEqual(["LAYOUT"]);
    const { hash } = await opened.put(Buffer.from("first"));
    expect((await FsBlobStore.open(root)).moved).toBe(0);
    expect((await opened.get(hash)).toString()).toBe("first");
  });

  it("moves a layout-1 store to <ab>/<hash>, once, and keeps every blob readable", async () => {
    const blobs = putLayout1(dir, ["one", "two", "three", "メール本文"]);
    const [first] = blobs;
    if (!first) throw new Error("no blob");
    fsSync.writeFileSync(path.join(first.oldDir, ".tmp-123-abcdef"), "half a put a crash interrupted");
    const stray = putLayout1(dir, ["stray"])[0];
    if (!stray) throw new Error("no blob");
    fsSync.writeFileSync(path.join(stray.oldDir, "notes.txt"), "put here by hand");

    const { store: opened, moved } = await FsBlobStore.open(dir);
    expect(moved).toBe(5);
    for (const b of [...blobs, stray]) {
      expect((await opened.get(b.hash)).toString()).toBe(b.content);
      expect(opened.pathOf(b.hash)).toBe(path.join(dir, b.hash.slice(0, 2), b.hash));
    }
    // The old directories are gone, but the one holding a file that is not a blob.
    const left = (await filesIn(dir)).sort();
    expect(left).toEqual(
      [
        "LAYOUT",
        ...[...blobs, stray].map((b) => path.join(b.hash.slice(0, 2), b.hash)),
        path.relative(dir, path.join(stray.oldDir, "notes.txt")),
      ].sort(),
    );
    const dirs = (await fs.readdir(dir, { recursive: true, withFileTypes: true })).filter((e) =>
      e.isDirectory(),
    );
    expect(dirs.filter((d) => d.parentPath !== dir).map((d) => d.name)).toEqual([
      path.basename(stray.oldDir),
    ]);
    expect((await FsBlobStore.open(dir)).moved).toBe(0);
  });

  it("finishes a move a crash interrupted", async () => {
    const blobs = putLayout1(dir, ["a", "b", "c"]);
    // Stopped after moving the first blob, before the marker: the rerun moves the rest.
    const [first] = blobs;
    if (!first) throw new Error("no blob");
    fsSync.renameSync(
      path.join(first.oldDir, first.hash),
      path.join(dir, first.hash.slice(0, 2), first.hash),
    );
    const { store: opened, moved } = await FsBlobStore.open(dir);
    expect(moved).toBe(2);
    for (const b of blobs) expect((await opened.get(b.hash)).toString()).toBe(b.content);
    expect((await filesIn(dir)).filter((f) => f !== "LAYOUT")).toHaveLength(3);
  });
});
