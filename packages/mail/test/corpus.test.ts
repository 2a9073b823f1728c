import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type ParsedMessage, parseMessage } from "../src/parse";
import { writeLargeFixtures } from "./fixtures/make-fixtures";

/**
 * Every fixtures/**\/*.eml is parsed and compared with the .json next to it. Only the keys a
 * .json lists are checked; attachments are compared entry by entry on the keys each entry lists,
 * and their count must match.
 */
interface Expected {
  subject?: string;
  from?: ParsedMessage["from"];
  to?: ParsedMessage["to"];
  cc?: ParsedMessage["cc"];
  replyTo?: ParsedMessage["replyTo"];
  messageId?: string | null;
  inReplyTo?: string | null;
  references?: string[];
  date?: string | null;
  textContains?: string[];
  textNotContains?: string[];
  snippet?: string;
  snippetStartsWith?: string;
  hasHtml?: boolean;
  attachments?: Record<string, unknown>[];
  dsn?: ParsedMessage["dsn"];
  charsetRepaired?: boolean;
}

const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
// the large fixtures are generated, not committed; they must exist before the glob runs
writeLargeFixtures();
// Node 20 has no fs.glob yet; a recursive listing filtered on the extension is the same glob
const emlFiles = fs
  .readdirSync(fixturesDir, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".eml"))
  .sort();

const SIMPLE_KEYS = [
  "subject",
  "from",
  "to",
  "cc",
  "replyTo",
  "messageId",
  "inReplyTo",
  "references",
  "snippet",
  "dsn",
  "charsetRepaired",
] as const;

describe("fixture corpus", () => {
  it("finds the committed and the generated fixtures", () => {
    expect(emlFiles.length).toBeGreaterThanOrEqual(23);
    expect(emlFiles).toContain(path.join("generated", "large-attachment.eml"));
  });

  it.each(emlFiles)("%s", async (file) => {
    const jsonPath = path.join(fixturesDir, file.replace(/\.eml$/, ".json"));
    expect(fs.existsSync(jsonPath), `${jsonPath} is missing`).toBe(true);
    const expected = JSON.parse(fs.readFileSync(jsonPath, "utf8")) as Expected;
    const parsed = await parseMessage(fs.readFileSync(path.join(fixturesDir, file)));

    for (const key of SIMPLE_KEYS) {
      if (key in expected) expect(parsed[key], key).toEqual(expected[key]);
    }
    if ("date" in expected) expect(parsed.date?.toISOString() ?? null, "date").toBe(expected.date);
    for (const piece of expected.textContains ?? []) expect(parsed.text).toContain(piece);
    for (const piece of expected.textNotContains ?? []) expect(parsed.text).not.toContain(piece);
    if (expected.snippetStartsWith)
      expect(parsed.snippet.startsWith(expected.snippetStartsWith), parsed.snippet).toBe(true);
    if ("hasHtml" in expected) expect(parsed.html !== null, "hasHtml").toBe(expected.hasHtml);
    if (expected.attachments) {
      expect(parsed.attachments).toHaveLength(expected.attachments.length);
      for (const [i, want] of expected.attachments.entries()) {
        expect(parsed.attachments[i], `attachment ${i}`).toMatchObject(want);
      }
    }
    // invariants that hold for every message
    expect(parsed.text).not.toContain("\0");
    expect(Array.from(parsed.snippet).length).toBeLessThanOrEqual(200);
    for (const a of parsed.attachments) expect(a).not.toHaveProperty("content");
  });
});
