import { indexMime, type MimeTree } from "./structure";

/**
 * MIME trees by blob hash. Blobs are immutable, so an entry never goes stale; the cache is
 * bounded by a weight (entities held) and evicts least recently used first.
 */
export class StructureCache {
  private readonly entries = new Map<string, MimeTree>();
  private weight = 0;

  constructor(private readonly maxWeight = 50_000) {}

  get(hash: string): MimeTree | undefined {
    const tree = this.entries.get(hash);
    if (tree) {
      this.entries.delete(hash);
      this.entries.set(hash, tree);
    }
    return tree;
  }

  /** The tree of `blob`, computed once per hash. */
  index(hash: string, blob: Buffer): MimeTree {
    const cached = this.get(hash);
    if (cached) return cached;
    const tree = indexMime(blob);
    this.entries.set(hash, tree);
    this.weight += weightOf(tree);
    for (const [key, old] of this.entries) {
      if (this.weight <= this.maxWeight) break;
      this.entries.delete(key);
      this.weight -= weightOf(old);
    }
    return tree;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Roughly: one unit per entity plus one per 16 header fields. */
function weightOf(tree: MimeTree): number {
  return tree.parts + 1;
}

/** One cache per process: structure is a property of the bytes, not of a session. */
export const sharedStructureCache = new StructureCache();
